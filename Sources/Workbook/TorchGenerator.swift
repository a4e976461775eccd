// PyTorch's CPU random numbers: the same draws as `torch.manual_seed(seed)` then `rand`, `randn`.

import Foundation
import Kernels

/// A random generator that draws what PyTorch's CPU generator draws after `torch.manual_seed(seed)`.
///
/// PyTorch seeds a 32-bit Mersenne Twister (MT19937) with the seed; `torch.rand` turns each draw `r`
/// into `(r & 0xFFFFFF) · 2⁻²⁴`, and `torch.randn` transforms such uniforms (``Tensor/randn(_:using:)``).
/// A run that creates the same tensors in the same order as a notebook gets the same numbers.
public struct TorchGenerator: RandomNumberGenerator, Sendable {
    private var state: [UInt32], index: Int
    /// The second value of the last double-precision Box–Muller pair (PyTorch's
    /// `next_double_normal_sample`), for normal tensors of fewer than 16 elements.
    private var cachedNormal: Double?

    /// A generator in the state `torch.manual_seed(seed)` leaves.
    public init(seed: UInt64) {
        state = [UInt32](repeating: 0, count: 624)
        state[0] = UInt32(truncatingIfNeeded: seed)
        for i in 1..<624 { state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i) }
        index = 624
    }

    /// The next 32-bit draw of MT19937.
    public mutating func nextUInt32() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// Two draws as one 64-bit value, the first in the high half (PyTorch's `random64()`).
    public mutating func next() -> UInt64 { UInt64(nextUInt32()) << 32 | UInt64(nextUInt32()) }   // operands in order

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
        }
        index = 0
    }

    /// A float uniform in [0, 1) from one draw, with 24 random bits (`torch.rand`).
    public mutating func nextUniformFloat() -> Float { Float(nextUInt32() & 0xFF_FFFF) * 0x1p-24 }

    /// A double uniform in [0, 1) from two draws, with 53 random bits.
    mutating func nextUniformDouble() -> Double { Double(next() & ((1 << 53) - 1)) * 0x1p-53 }

    /// One standard normal value the way PyTorch draws it for tensors under 16 elements:
    /// Box–Muller in double precision, the sine half kept for the next call.
    mutating func nextNormalDouble() -> Double {
        if let cached = cachedNormal { cachedNormal = nil; return cached }
        let u1 = nextUniformDouble(), u2 = nextUniformDouble()
        let (r, theta) = ((-2 * log1p(-u2)).squareRoot(), 2 * Double.pi * u1)
        cachedNormal = r * sin(theta)
        return r * cos(theta)
    }
}

extension Tensor {
    /// Uniform values in [0, 1) (`torch.rand(shape)`), each draw's 24 bits exactly.
    public static func rand(_ shape: [Int], using generator: inout TorchGenerator) -> Tensor {
        uniform(shape, from: 0, to: 1, using: &generator)
    }

    /// Uniform values in [low, high) (`torch.empty(shape).uniform_(low, high)`, as `nn.RNN` initialises).
    public static func uniform(_ shape: [Int], from low: Float, to high: Float, using generator: inout TorchGenerator) -> Tensor {
        let out = Tensor(zeros: shape)
        let width = Double(high - low)   // PyTorch computes `x · (high − low) + low` in double, rounded once
        for i in 0..<out.count {
            let x = Double(generator.nextUInt32() & 0xFF_FFFF) * 0x1p-24
            out.elements[i] = Float(x * width + Double(low))
        }
        return out
    }

    /// Standard normal values (`torch.randn(shape)`). With 16 or more elements: fill with uniforms,
    /// then in each block of 16 turn the pairs (x[i], x[i + 8]) into `r cos θ` and `r sin θ`, with
    /// `r = √(−2 ln(1 − x[i]))`, `θ = 2π x[i + 8]`; a partial last block draws its last 16 elements
    /// again. Fewer than 16 elements take PyTorch's double-precision path.
    public static func randn(_ shape: [Int], using generator: inout TorchGenerator) -> Tensor {
        let out = Tensor(zeros: shape)
        let n = out.count, x = out.elements
        guard n >= 16 else {
            for i in 0..<n { x[i] = Float(generator.nextNormalDouble()) }
            return out
        }
        for i in 0..<n { x[i] = generator.nextUniformFloat() }
        for start in stride(from: 0, through: n - 16, by: 16) { boxMuller16(x + start) }
        if n % 16 != 0 {
            let tail = x + n - 16
            for i in 0..<16 { tail[i] = generator.nextUniformFloat() }
            boxMuller16(tail)
        }
        return out
    }

    /// Normal values as `torch.distributions.Normal(mean, std).sample(shape)`: `randn · std + mean`.
    public static func normal(_ shape: [Int], mean: Float, std: Float, using generator: inout TorchGenerator) -> Tensor {
        randn(shape, using: &generator) * std + mean
    }

    /// PyTorch's `normal_fill_16` (its AVX2 form): eight Box–Muller pairs in place, in float.
    private static func boxMuller16(_ x: Floats) {
        let twoPi = Float(2 * Double.pi)
        for i in 0..<8 {
            let (radius, theta) = ((-2 * logf(1 - x[i])).squareRoot(), twoPi * x[i + 8])
            x[i] = radius * cosf(theta)
            x[i + 8] = radius * sinf(theta)
        }
    }
}
