// 8-lane SIMD helpers for the hand-vectorised kernels: unaligned loads and stores, and plane
// reductions with Float lanes (fixed order, so deterministic) handed back as Double.

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Σ p[0..<n], 16 Float lanes then summed in Double.
@inline(__always) func simdSum(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
    var a = SIMD8<Float>(repeating: 0), b = SIMD8<Float>(repeating: 0)
    var i = 0
    while i + 16 <= n { a += load8(p + i); b += load8(p + i + 8); i += 16 }
    var t: Float = 0
    while i < n { t += p[i]; i += 1 }
    return Double((a + b).sum()) + Double(t)
}

/// Σ (p[i] − m)², 16 Float lanes then summed in Double.
@inline(__always) func simdCenteredSquares(_ p: UnsafePointer<Float>, _ n: Int, _ m: Float) -> Double {
    var a = SIMD8<Float>(repeating: 0), b = SIMD8<Float>(repeating: 0)
    let mv = SIMD8<Float>(repeating: m)
    var i = 0
    while i + 16 <= n {
        let u = load8(p + i) - mv, v = load8(p + i + 8) - mv
        a += u * u; b += v * v; i += 16
    }
    var t: Float = 0
    while i < n { let u = p[i] - m; t += u * u; i += 1 }
    return Double((a + b).sum()) + Double(t)
}

/// (Σ d[i], Σ d[i]·(x[i] − m)), 8 Float lanes each then Double.
@inline(__always) func simdSumAndCenteredDot(_ d: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int,
                                             _ m: Float) -> (Double, Double) {
    var a = SIMD8<Float>(repeating: 0), b = SIMD8<Float>(repeating: 0)
    let mv = SIMD8<Float>(repeating: m)
    var i = 0
    while i + 8 <= n {
        let dv = load8(d + i)
        a += dv; b += dv * (load8(x + i) - mv); i += 8
    }
    var ta: Float = 0, tb: Float = 0
    while i < n { ta += d[i]; tb += d[i] * (x[i] - m); i += 1 }
    return (Double(a.sum()) + Double(ta), Double(b.sum()) + Double(tb))
}

/// q[i] = p[i]·a + b.
@inline(__always) func simdAffine(_ p: UnsafePointer<Float>, _ q: UnsafeMutablePointer<Float>, _ n: Int,
                                  _ a: Float, _ b: Float) {
    let av = SIMD8<Float>(repeating: a), bv = SIMD8<Float>(repeating: b)
    var i = 0
    while i + 8 <= n { store8(load8(p + i) * av + bv, q + i); i += 8 }
    while i < n { q[i] = p[i] * a + b; i += 1 }
}

/// d[i] += s[i].
@inline(__always) func addInto(_ d: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n { store8(load8(d + i) + load8(s + i), d + i); i += 8 }
    while i < n { d[i] += s[i]; i += 1 }
}

/// d[i] = a[i] + b[i] (the bits of addInto on a copy of a).
@inline(__always) func sumInto(_ d: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                               _ n: Int) {
    var i = 0
    while i + 8 <= n { store8(load8(a + i) + load8(b + i), d + i); i += 8 }
    while i < n { d[i] = a[i] + b[i]; i += 1 }
}

/// d[i] (+)= k·s[i]; accumulate selects += over =.
@inline(__always) func scaleInto(_ d: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ n: Int, _ k: Float,
                                 accumulate: Bool) {
    let kv = SIMD8<Float>(repeating: k)
    var i = 0
    if accumulate {
        while i + 8 <= n { store8(load8(d + i) + kv * load8(s + i), d + i); i += 8 }
        while i < n { d[i] += k * s[i]; i += 1 }
    } else {
        while i + 8 <= n { store8(kv * load8(s + i), d + i); i += 8 }
        while i < n { d[i] = k * s[i]; i += 1 }
    }
}

/// y[i] = x[i] > 0 ? x[i] : 0 (the tape's relu since its first version; NaN maps to 0).
@inline(__always) func reluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let z = SIMD8<Float>(repeating: 0)
    var i = 0
    while i + 8 <= n {
        let v = load8(x + i)
        store8(v.replacing(with: z, where: .!(v .> z)), y + i)
        i += 8
    }
    while i < n { y[i] = x[i] > 0 ? x[i] : 0; i += 1 }
}

/// d[i] (+)= y[i] > 0 ? g[i] : 0, with y the relu output.
@inline(__always) func reluBackward(_ d: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                    _ n: Int, accumulate: Bool) {
    let z = SIMD8<Float>(repeating: 0)
    var i = 0
    if accumulate {
        while i + 8 <= n {
            store8(load8(d + i) + load8(g + i).replacing(with: z, where: .!(load8(y + i) .> z)), d + i)
            i += 8
        }
        while i < n { d[i] += y[i] > 0 ? g[i] : 0; i += 1 }
    } else {
        while i + 8 <= n {
            store8(load8(g + i).replacing(with: z, where: .!(load8(y + i) .> z)), d + i)
            i += 8
        }
        while i < n { d[i] = y[i] > 0 ? g[i] : 0; i += 1 }
    }
}
