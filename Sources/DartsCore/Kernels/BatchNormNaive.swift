// Naive batch norm (training forward, backward): scalar loops summing in Double, the test
// oracles of the SIMD kernels in BatchNorm.swift.

/// Training forward: y = γ·(x − mean)/sqrt(var + eps) + β with batch mean and biased var.
/// Writes mean, invStd (1/sqrt(biased var + eps)) and unbiasedVar per channel.
public func batchNormForwardTrainingNaive(_ g: BatchNormGeometry, x: UnsafePointer<Float>,
                                     gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
                                     y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                     invStd: UnsafeMutablePointer<Float>, unbiasedVar: UnsafeMutablePointer<Float>) {
    let (n, c, s) = (g.n, g.c, g.s)
    let m = Double(g.perChannel)
    do {
        for ch in 0..<c {
            var sum = 0.0
            for i in 0..<n { let p = x + (i * c + ch) * s; for j in 0..<s { sum += Double(p[j]) } }
            let mu = sum / m
            var sq = 0.0
            for i in 0..<n { let p = x + (i * c + ch) * s; for j in 0..<s { let d = Double(p[j]) - mu; sq += d * d } }
            let varB = sq / m
            let inv = 1 / (varB + Double(eps)).squareRoot()
            mean[ch] = Float(mu)
            invStd[ch] = Float(inv)
            unbiasedVar[ch] = Float(m > 1 ? sq / (m - 1) : Double.nan)
            let a = Float(inv) * (gamma?[ch] ?? 1)
            let b = (beta?[ch] ?? 0) - Float(mu) * a
            for i in 0..<n {
                let p = x + (i * c + ch) * s, q = y + (i * c + ch) * s
                for j in 0..<s { q[j] = p[j] * a + b }
            }
        }
    }
}

/// Backward. training: statistics depend on x (full formula); else mean/invStd are constants.
/// Writes dx (if non-nil, overwriting) and dGamma, dBeta (if non-nil, overwriting).
public func batchNormBackwardNaive(_ g: BatchNormGeometry, training: Bool, x: UnsafePointer<Float>,
                              dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>?,
                              mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                              dx: UnsafeMutablePointer<Float>?, dGamma: UnsafeMutablePointer<Float>?,
                              dBeta: UnsafeMutablePointer<Float>?) {
    let (n, c, s) = (g.n, g.c, g.s)
    let m = Double(g.perChannel)
    do {
        for ch in 0..<c {
            let mu = mean[ch], inv = invStd[ch]
            var sdy = 0.0, sdyx = 0.0
            for i in 0..<n {
                let p = x + (i * c + ch) * s, d = dy + (i * c + ch) * s
                for j in 0..<s {
                    sdy += Double(d[j])
                    sdyx += Double(d[j] * ((p[j] - mu) * inv))
                }
            }
            dGamma?[ch] = Float(sdyx)
            dBeta?[ch] = Float(sdy)
            guard let dx else { continue }
            let gm = gamma?[ch] ?? 1
            let k = gm * inv
            if training {
                let meanDy = Float(sdy / m), meanDyx = Float(sdyx / m)
                for i in 0..<n {
                    let p = x + (i * c + ch) * s, d = dy + (i * c + ch) * s, q = dx + (i * c + ch) * s
                    for j in 0..<s { q[j] = k * (d[j] - meanDy - (p[j] - mu) * inv * meanDyx) }
                }
            } else {
                for i in 0..<n {
                    let d = dy + (i * c + ch) * s, q = dx + (i * c + ch) * s
                    for j in 0..<s { q[j] = k * d[j] }
                }
            }
        }
    }
}
