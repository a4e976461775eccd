// The elementwise loops of ReLU, of the recurrent layer's backward pass, and a column sum in double
// precision, on pointers and sizes (the Kernels module's interface calls them).

import KernelRuntime

/// `y[i] = max(x[i], 0)` for `count` values.
package func relu(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    inParts(elements: count) { part in
        for i in part { y[i] = Swift.max(x[i], 0) }
    }
}

/// ReLU's gradient: `gx[i] (+)= y[i] > 0 ? g[i] : 0` from the output `y`, written when `accumulate`
/// is false, added otherwise.
package func reluGradient(
    _ g: UnsafePointer<Float>, output y: UnsafePointer<Float>, into gx: UnsafeMutablePointer<Float>, count: Int,
    accumulate: Bool
) {
    inParts(elements: count) { part in
        if accumulate {
            for i in part { gx[i] += y[i] > 0 ? g[i] : 0 }
        } else {
            for i in part { gx[i] = y[i] > 0 ? g[i] : 0 }
        }
    }
}

/// `d[i] *= 1 − h[i]²` for `count` values: tanh's derivative from its output (a multiply, then a
/// subtraction, then a multiply; no fused multiply-add).
package func multiplyByTanhDerivative(_ d: UnsafeMutablePointer<Float>, output h: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { d[i] *= 1 - h[i] * h[i] }
}

/// `Σ_r x[r, j]` for each column j of `rows` rows of `width`, in double precision, row after row.
package func columnSumsInDouble(_ x: UnsafePointer<Float>, rows: Int, width: Int) -> [Double] {
    [Double](unsafeUninitializedCapacity: width) { sums, initialized in
        guard let s = sums.baseAddress else { return }
        s.initialize(repeating: 0, count: width)
        var j = 0
        while j + 8 <= width {   // eight columns at a time in vector lanes, row after row
            var total = SIMD8<Double>()
            var row = x + j
            for _ in 0..<rows {
                total += SIMD8<Double>(UnsafeRawPointer(row).loadUnaligned(as: SIMD8<Float>.self))
                row += width
            }
            UnsafeMutableRawPointer(s + j).storeBytes(of: total, as: SIMD8<Double>.self)
            j += 8
        }
        if j < width {
            for r in 0..<rows { for column in j..<width { s[column] += Double(x[r * width + column]) } }
        }
        initialized = width
    }
}
