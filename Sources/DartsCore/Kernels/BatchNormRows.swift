// Batch norm of (N, C) rows (planes of one value: the recurrent cell's (B, H) states). The
// plane kernels of BatchNorm.swift walk each channel down a column, one strided element at a
// time; these walk the rows, all channels of a worker's block at once, and produce the same
// bits: every channel still sums its rows in row order, in Double, with the same Float terms.

/// `batchNormForwardTraining` for g.s == 1.
func batchNormRowsForwardTraining(_ g: BatchNormGeometry, x: UnsafePointer<Float>,
                                  gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
                                  y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                  invStd: UnsafeMutablePointer<Float>, unbiasedVar: UnsafeMutablePointer<Float>) {
    let (n, c) = (g.n, g.c)
    let m = Double(n)
    DartsCore.parallelFor(c, minChunk: 32) { channels in
        let (lo, width) = (channels.lowerBound, channels.count)
        var sums = [Double](repeating: 0, count: width)
        var squares = [Double](repeating: 0, count: width)
        var muF = [Float](repeating: 0, count: width)
        var a = [Float](repeating: 0, count: width), b = [Float](repeating: 0, count: width)
        for i in 0..<n {
            let row = x + i * c + lo
            for j in 0..<width { sums[j] += Double(row[j]) }
        }
        for j in 0..<width { muF[j] = Float(sums[j] / m) }
        for i in 0..<n {
            let row = x + i * c + lo
            for j in 0..<width { let u = row[j] - muF[j]; squares[j] += Double(u * u) }
        }
        for j in 0..<width {
            let ch = lo + j
            let mu = sums[j] / m
            let shift = mu - Double(muF[j])
            let sq = Swift.max(0, squares[j] - m * shift * shift)
            let inv = 1 / (sq / m + Double(eps)).squareRoot()
            mean[ch] = muF[j]
            invStd[ch] = Float(inv)
            unbiasedVar[ch] = Float(m > 1 ? sq / (m - 1) : Double.nan)
            a[j] = Float(inv) * (gamma?[ch] ?? 1)
            b[j] = (beta?[ch] ?? 0) - muF[j] * a[j]
        }
        for i in 0..<n {
            let (row, out) = (x + i * c + lo, y + i * c + lo)
            for j in 0..<width { out[j] = row[j] * a[j] + b[j] }
        }
    }
}

/// `batchNormBackward` for g.s == 1.
func batchNormRowsBackward(_ g: BatchNormGeometry, training: Bool, x: UnsafePointer<Float>,
                           dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>?,
                           mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
                           dx: UnsafeMutablePointer<Float>?, dGamma: UnsafeMutablePointer<Float>?,
                           dBeta: UnsafeMutablePointer<Float>?) {
    let (n, c) = (g.n, g.c)
    let m = Double(n)
    DartsCore.parallelFor(c, minChunk: 32) { channels in
        let (lo, width) = (channels.lowerBound, channels.count)
        var sdy = [Double](repeating: 0, count: width), sdyx = [Double](repeating: 0, count: width)
        for i in 0..<n {
            let (row, d) = (x + i * c + lo, dy + i * c + lo)
            for j in 0..<width {
                sdy[j] += Double(d[j])
                sdyx[j] += Double(d[j] * (row[j] - mean[lo + j]))
            }
        }
        var k = [Float](repeating: 0, count: width), meanDy = [Float](repeating: 0, count: width)
        var cx = [Float](repeating: 0, count: width)
        for j in 0..<width {
            let ch = lo + j
            let inv = invStd[ch]
            let scaled = sdyx[j] * Double(inv)
            dGamma?[ch] = Float(scaled)
            dBeta?[ch] = Float(sdy[j])
            k[j] = (gamma?[ch] ?? 1) * inv
            meanDy[j] = Float(sdy[j] / m)
            cx[j] = -k[j] * inv * Float(scaled / m)
        }
        guard let dx else { return }
        for i in 0..<n {
            let (row, d, q) = (x + i * c + lo, dy + i * c + lo, dx + i * c + lo)
            if training {
                for j in 0..<width { q[j] = k[j] * (d[j] - meanDy[j]) + (row[j] - mean[lo + j]) * cx[j] }
            } else {
                for j in 0..<width { q[j] = k[j] * d[j] }
            }
        }
    }
}
