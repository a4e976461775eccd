// Mistake: the bound from fan_in alone, √(6 / fan_in).
// (The reference solution of exercise 08 with this one mistake: its check must fail.)

import Foundation
import Workbook

/// `nn.init.xavier_uniform_(torch.empty(shape))`: uniform in `[−a, a]`, `a = √(6 / (fan_in + fan_out))`.
public func xavierUniform(_ shape: [Int], using generator: inout TorchGenerator) -> Tensor {
    let (fanOut, fanIn) = (shape[0], shape[1])
    let bound = Float(sqrt(6 / Double(fanIn + 0 * fanOut)))
    return Tensor.uniform(shape, from: -bound, to: bound, using: &generator)
}
