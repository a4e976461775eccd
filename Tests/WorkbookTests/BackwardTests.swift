// What backward() leaves behind, and gradients written into fresh buffers when a tensor is used twice.

import Testing
import Workbook

@Suite("Backward pass bookkeeping")
struct BackwardTests {
    @Test("Leaves keep their gradients; intermediate results do not, as in PyTorch")
    func graphIsReleased() {
        let w = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
        let x = Tensor([1, -1, 2, 0.5], shape: [2, 2])
        let hidden = x.matmul(w).tanh()
        let loss = (hidden * hidden).sum()
        loss.backward()
        #expect(w.grad != nil)
        #expect(hidden.grad == nil)
        #expect(loss.grad == nil)
    }

    @Test("A tensor used twice by one operation gets both contributions")
    func sameTensorTwice() {
        let x = Tensor([0.5, -2, 3], requiresGrad: true)
        (x + x).sum().backward()
        #expect(x.grad?.values == [2, 2, 2])
        x.zeroGrad()
        (x * x).sum().backward()
        #expect(x.grad?.values == [1, -4, 6])
        x.zeroGrad()
        let m = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
        m.matmul(m).sum().backward()   // d/dM sum(M·M) = 1·Mᵀ + Mᵀ·1
        #expect(m.grad?.values == [7, 11, 9, 13])
    }
}
