// A vectorised tanh: eight floats at once, within 1 ulp of the exact value.
//
// libm's `tanhf` takes one float at a time; PyTorch's CPU tanh is vectorised (about 1 ulp), and so
// is this one. It follows Cephes' `tanhf`: an odd polynomial below |x| = 0.625, where
// `1 − 2 / (e^{2|x|} + 1)` would lose digits, and that formula above it, with Cephes' `expf` (a
// degree-6 polynomial after reducing by multiples of ln 2). Above |x| = 9 tanh rounds to ±1 in
// float32. NaN stays NaN. Every step `p · z + c` of the polynomials is one fused multiply-add: one
// rounding instead of two, and fewer instructions (in the portable copy on x86-64, which cannot
// assume an FMA instruction, a call of `fmaf` for each lane: slower, the same bits). Against tanh in double precision the error is
// at most 1 ulp: checked on every float in [0, 10] (the same arithmetic in C) and every seventh one
// (this code); the tests measure it on a grid. With AVX-512, CWideProduct runs the same operations on
// sixteen lanes (the tests compare the two bit for bit).

import CWideProduct
import KernelRuntime

/// `p · z + c` in one rounding (a fused multiply-add).
@inline(__always)
private func multiplyAdd(_ p: SIMD8<Float>, _ z: SIMD8<Float>, _ c: SIMD8<Float>) -> SIMD8<Float> {
    c.addingProduct(p, z)
}

/// `tanh` of each lane, within 1 ulp.
@inline(__always)
func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
    typealias Bits = SIMD8<UInt32>
    let bits = unsafeBitCast(x, to: Bits.self), signBit = Bits(repeating: 0x8000_0000)
    var a = unsafeBitCast(bits & ~signBit, to: SIMD8<Float>.self)      // |x|
    a.replace(with: 9, where: a .> 9)                                   // at most 9 (NaN stays NaN)
    // Small |x|: x + x³ · P(x²).
    let z = a * a
    var p = SIMD8<Float>(repeating: -5.70498872745e-3)
    p = multiplyAdd(p, z, .init(repeating: 2.06390887954e-2))
    p = multiplyAdd(p, z, .init(repeating: -5.37397155531e-2))
    p = multiplyAdd(p, z, .init(repeating: 1.33314422036e-1))
    p = multiplyAdd(p, z, .init(repeating: -3.33332819422e-1))
    let small = multiplyAdd(p * z, a, a)
    // Large |x|: 1 − 2 / (e^{2|x|} + 1).
    let large = 1 - 2 / (exp(2 * a) + 1)
    let magnitude = small.replacing(with: large, where: a .>= 0.625)
    return unsafeBitCast(unsafeBitCast(magnitude, to: Bits.self) | bits & signBit, to: SIMD8<Float>.self)   // x's sign
}

/// `e^x` of each lane for x in [0, 18] (Cephes' `expf`: about 1 ulp).
@inline(__always)
private func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // n = x / ln 2 rounded to the nearest integer: adding 1.5 · 2²³ leaves n in the low bits of
    // the float (plain SIMD arithmetic; the generic float-to-integer conversions are not vectorised).
    let magic: Float = 12582912
    let shifted = multiplyAdd(x, .init(repeating: 1.44269504088896341), .init(repeating: magic))
    let n = shifted - magic
    // x − n ln 2, with ln 2 in two parts (the first exact in n · 0.693359375).
    let r = multiplyAdd(n, .init(repeating: 2.12194440e-4), multiplyAdd(n, .init(repeating: -0.693359375), x))
    var p = SIMD8<Float>(repeating: 1.9875691500e-4)
    p = multiplyAdd(p, r, .init(repeating: 1.3981999507e-3))
    p = multiplyAdd(p, r, .init(repeating: 8.3334519073e-3))
    p = multiplyAdd(p, r, .init(repeating: 4.1665795894e-2))
    p = multiplyAdd(p, r, .init(repeating: 1.6666665459e-1))
    p = multiplyAdd(p, r, .init(repeating: 5.0000001201e-1))
    let y = multiplyAdd(p, r * r, r) + 1
    let integerN = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- Int32(bitPattern: magic.bitPattern)
    let twoToN = unsafeBitCast((integerN &+ 127) &<< 23, to: SIMD8<Float>.self)
    return y * twoToN
}

/// Writes `tanh(x[i])` into `y[i]` for `count` elements; `y` may be `x`.
package func tanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    // With AVX-512, sixteen at a time in CWideProduct: the same operations, so the same bits.
    var i = wideTilesInUse ? wb_tanh_avx512(x, y, count) : 0
    while i + 8 <= count {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: tanh(v), as: SIMD8<Float>.self)
        i += 8
    }
    if i < count {   // the tail through a padded vector, so every element gets the same arithmetic
        var v = SIMD8<Float>()
        for j in i..<count { v[j - i] = x[j] }
        let t = tanh(v)
        for j in i..<count { y[j] = t[j - i] }
    }
}
