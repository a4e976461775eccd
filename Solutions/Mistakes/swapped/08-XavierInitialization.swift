// Mistake: the uniform draw in [0, a) instead of [−a, a).
// (The reference solution of exercise 08 with this one mistake: its check must fail.)

import Foundation
import Workbook

/// `nn.init.xavier_uniform_(torch.empty(shape))`: uniform in `[−a, a]`, `a = √(6 / (fan_in + fan_out))`.
public func xavierUniform(_ shape: [Int], using generator: inout TorchGenerator) -> Tensor {
    let (fanOut, fanIn) = (shape[0], shape[1])
    let bound = Float(sqrt(6 / Double(fanIn + fanOut)))
    return Tensor.uniform(shape, from: 0, to: bound, using: &generator)
}
