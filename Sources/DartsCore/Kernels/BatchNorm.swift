// Batch normalisation over (N, spatial) per channel of x viewed as (N, C, S), S = H·W (or 1).
// Statistics are summed in Double per channel, in fixed order; parallel over channels.

import CGemm

/// Sizes of one batch-norm call: x is (n, c, s).
public struct BatchNormGeometry: Equatable, Sendable {
    public var n: Int, c: Int, s: Int
    public init(n: Int, c: Int, s: Int) { self.n = n; self.c = c; self.s = s }
    public var perChannel: Int { n * s }
}

/// Training forward: y = γ·(x − mean)/sqrt(var + eps) + β with batch mean and biased var.
/// Writes mean, invStd (1/sqrt(biased var + eps)) and unbiasedVar per channel.
public func batchNormForwardTraining(_ g: BatchNormGeometry, x: UnsafePointer<Float>,
                                     gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
                                     y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                     invStd: UnsafeMutablePointer<Float>, unbiasedVar: UnsafeMutablePointer<Float>) {
    if g.s == 1 {
        batchNormRowsForwardTraining(g, x: x, gamma: gamma, beta: beta, eps: eps, y: y, mean: mean, invStd: invStd,
                                     unbiasedVar: unbiasedVar)
    } else {
        batchNormPlanesForwardTraining(g, x: x, gamma: gamma, beta: beta, eps: eps, y: y, mean: mean, invStd: invStd,
                                       unbiasedVar: unbiasedVar)
    }
}

/// The plane kernel: each channel's planes in turn (for g.s == 1 the rows kernel gives its bits faster).
/// Asks for the plane after (image i, channel ch) in a worker's walk over `channels` (the next
/// image's, else the next channel's first): planes lie C·S floats apart, a jump the hardware
/// prefetchers do not follow, and each pass over a channel starts from DRAM.
@inline(__always)
private func prefetchNextPlane(_ base: UnsafePointer<Float>, i: Int, ch: Int, _ g: BatchNormGeometry, _ channels: Range<Int>) {
    if i + 1 < g.n { dp_prefetch(base + ((i + 1) * g.c + ch) * g.s, g.s) }
    else if ch + 1 < channels.upperBound { dp_prefetch(base + (ch + 1) * g.s, g.s) }
}

/// For a reverse walk over the images of channel `ch`: asks for the plane of image i − 1, or at
/// image 0 for the first plane of the next channel, where the next forward pass starts.
@inline(__always)
private func prefetchPreviousPlane(_ base: UnsafePointer<Float>, i: Int, ch: Int, _ g: BatchNormGeometry,
                                   _ channels: Range<Int>) {
    if i > 0 { dp_prefetch(base + ((i - 1) * g.c + ch) * g.s, g.s) }
    else if ch + 1 < channels.upperBound { dp_prefetch(base + (ch + 1) * g.s, g.s) }
}

func batchNormPlanesForwardTraining(_ g: BatchNormGeometry, x: UnsafePointer<Float>,
                                    gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
                                    y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                    invStd: UnsafeMutablePointer<Float>, unbiasedVar: UnsafeMutablePointer<Float>) {
    let (n, c, s) = (g.n, g.c, g.s)
    let m = Double(g.perChannel)
    DartsCore.parallelFor(c) { channels in
        for ch in channels {
            var sum = 0.0
            for i in 0..<n {
                prefetchNextPlane(x, i: i, ch: ch, g, channels)
                sum += simdSum(x + (i * c + ch) * s, s)
            }
            let mu = sum / m
            // Centred on the Float mean: Σ(x − μf)² = Σ(x − μ)² + m(μ − μf)², the last term removed.
            let muF = Float(mu), shift = mu - Double(muF)
            var sq = 0.0
            for i in 0..<n { sq += simdCenteredSquares(x + (i * c + ch) * s, s, muF) }
            sq = Swift.max(0, sq - m * shift * shift)
            let varB = sq / m
            let inv = 1 / (varB + Double(eps)).squareRoot()
            mean[ch] = Float(mu)
            invStd[ch] = Float(inv)
            unbiasedVar[ch] = Float(m > 1 ? sq / (m - 1) : Double.nan)
            let a = Float(inv) * (gamma?[ch] ?? 1)
            let b = (beta?[ch] ?? 0) - Float(mu) * a
            // Elementwise, so in reverse: the planes the sums read last are still in L2.
            for i in stride(from: n - 1, through: 0, by: -1) {
                prefetchPreviousPlane(x, i: i, ch: ch, g, channels)
                simdAffine(x + (i * c + ch) * s, y + (i * c + ch) * s, s, a, b)
            }
        }
    }
}

/// Evaluation forward with given statistics: y = γ·(x − mean)·invStd + β.
public func batchNormForwardAffine(_ g: BatchNormGeometry, x: UnsafePointer<Float>,
                                   gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                                   mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                                   y: UnsafeMutablePointer<Float>) {
    let (n, c, s) = (g.n, g.c, g.s)
    DartsCore.parallelFor(c) { channels in
        for ch in channels {
            let a = invStd[ch] * (gamma?[ch] ?? 1)
            let b = (beta?[ch] ?? 0) - mean[ch] * a
            for i in 0..<n {
                let p = x + (i * c + ch) * s, q = y + (i * c + ch) * s
                for j in 0..<s { q[j] = p[j] * a + b }
            }
        }
    }
}

/// Backward. training: statistics depend on x (full formula); else mean/invStd are constants.
/// Writes dx (if non-nil, overwriting) and dGamma, dBeta (if non-nil, overwriting).
public func batchNormBackward(_ g: BatchNormGeometry, training: Bool, x: UnsafePointer<Float>,
                              dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>?,
                              mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                              dx: UnsafeMutablePointer<Float>?, dGamma: UnsafeMutablePointer<Float>?,
                              dBeta: UnsafeMutablePointer<Float>?) {
    if g.s == 1 {
        batchNormRowsBackward(g, training: training, x: x, dy: dy, gamma: gamma, mean: mean, invStd: invStd,
                              dx: dx, dGamma: dGamma, dBeta: dBeta)
    } else {
        batchNormPlanesBackward(g, training: training, x: x, dy: dy, gamma: gamma, mean: mean, invStd: invStd,
                                dx: dx, dGamma: dGamma, dBeta: dBeta)
    }
}

/// The plane kernel of `batchNormBackward`.
func batchNormPlanesBackward(_ g: BatchNormGeometry, training: Bool, x: UnsafePointer<Float>,
                             dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>?,
                             mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>?, dGamma: UnsafeMutablePointer<Float>?,
                             dBeta: UnsafeMutablePointer<Float>?) {
    let (n, c, s) = (g.n, g.c, g.s)
    let m = Double(g.perChannel)
    DartsCore.parallelFor(c) { channels in
        for ch in channels {
            let mu = mean[ch], inv = invStd[ch]
            var sdy = 0.0, sdyx = 0.0
            for i in 0..<n {
                prefetchNextPlane(dy, i: i, ch: ch, g, channels)
                prefetchNextPlane(x, i: i, ch: ch, g, channels)
                let (a, b) = simdSumAndCenteredDot(dy + (i * c + ch) * s, x + (i * c + ch) * s, s, mu)
                sdy += a; sdyx += b
            }
            sdyx *= Double(inv)
            dGamma?[ch] = Float(sdyx)
            dBeta?[ch] = Float(sdy)
            guard let dx else { continue }
            let gm = gamma?[ch] ?? 1
            let k = gm * inv
            if training {
                // dx = k·(dy − mean dy − x̂·mean(dy·x̂)) = k·(dy − mean dy) + (x − μ)·cx, x̂ = (x − μ)·inv.
                let meanDy = Float(sdy / m), meanDyx = Float(sdyx / m)
                let cx = -k * inv * meanDyx
                let kv = SIMD8<Float>(repeating: k), cxv = SIMD8<Float>(repeating: cx)
                let mdv = SIMD8<Float>(repeating: meanDy), muv = SIMD8<Float>(repeating: mu)
                // Elementwise, so in reverse: the planes the sums read last are still in L2 (at
                // the paper's stage 1 a channel's dy and x are 786 KB, and in forward order LRU
                // evicts each plane just before it is needed).
                for i in stride(from: n - 1, through: 0, by: -1) {
                    prefetchPreviousPlane(dy, i: i, ch: ch, g, channels)
                    prefetchPreviousPlane(x, i: i, ch: ch, g, channels)
                    let p = x + (i * c + ch) * s, d = dy + (i * c + ch) * s, q = dx + (i * c + ch) * s
                    var j = 0
                    while j + 8 <= s { store8(kv * (load8(d + j) - mdv) + (load8(p + j) - muv) * cxv, q + j); j += 8 }
                    while j < s { q[j] = k * (d[j] - meanDy) + (p[j] - mu) * cx; j += 1 }
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
