// A vectorised tanh: eight floats at once, within 2 ulp of the exact value.
//
// libm's `tanhf` takes one float at a time and was a fifth of a concise deep RNN epoch. PyTorch's
// CPU tanh is vectorised too (about 1 ulp). This one follows Cephes' `tanhf`: an odd polynomial
// below |x| = 0.625, where `1 − 2 / (e^{2|x|} + 1)` would lose digits, and that formula above it,
// with Cephes' `expf` (a degree-6 polynomial after reducing by multiples of ln 2). Above |x| = 9
// tanh rounds to ±1 in float32. NaN stays NaN. Its error is measured in the tests.

/// `tanh` of each lane, within 2 ulp.
@inline(__always)
func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
    var a = x.replacing(with: -x, where: x .< 0)                       // |x|
    a.replace(with: 9, where: a .> 9)                                   // at most 9 (NaN stays NaN)
    // Small |x|: x + x³ · P(x²).
    let z = a * a
    var p = SIMD8<Float>(repeating: -5.70498872745e-3)
    p = p * z + 2.06390887954e-2
    p = p * z - 5.37397155531e-2
    p = p * z + 1.33314422036e-1
    p = p * z - 3.33332819422e-1
    let small = (p * z) * a + a
    // Large |x|: 1 − 2 / (e^{2|x|} + 1).
    let large = 1 - 2 / (exp(2 * a) + 1)
    let magnitude = small.replacing(with: large, where: a .>= 0.625)
    var result = magnitude.replacing(with: -magnitude, where: x .< 0)
    result.replace(with: x, where: x .!= x)   // NaN
    return result
}

/// `e^x` of each lane for x in [0, 18] (Cephes' `expf`: about 1 ulp).
@inline(__always)
private func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // n = x / ln 2 rounded to the nearest integer: adding 1.5 · 2²³ leaves n in the low bits of
    // the float (plain SIMD arithmetic; the generic float-to-integer conversions are not vectorised).
    let magic: Float = 12582912
    let shifted = x * 1.44269504088896341 + magic
    let n = shifted - magic
    let r = x - n * 0.693359375 - n * -2.12194440e-4                   // x − n ln 2, in two parts
    var p = SIMD8<Float>(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * (r * r) + r + 1
    let integerN = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- Int32(bitPattern: magic.bitPattern)
    let twoToN = unsafeBitCast((integerN &+ 127) &<< 23, to: SIMD8<Float>.self)
    return y * twoToN
}

/// Writes `tanh(x[i])` into `y[i]` for `count` elements; `y` may be `x`.
func tanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
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
