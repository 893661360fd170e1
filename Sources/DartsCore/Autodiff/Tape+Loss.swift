// Classification losses on the last axis: cross-entropy on logits and NLL on log-probabilities.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

extension Tape {
    /// Mean over rows of −log softmax(logits)[label]; logits (…, K), one label per row.
    public func crossEntropy(_ logits: Var, labels: [Int]) -> Var {
        let vx = value(logits)
        let k = vx.shape.last ?? 1
        let rows = vx.count / Swift.max(1, k)
        precondition(rows == labels.count, "crossEntropy: \(rows) rows but \(labels.count) labels")
        for l in labels { precondition(l >= 0 && l < k, "crossEntropy: label \(l) outside 0..<\(k)") }
        if k >= wideRowMinimum { return wideCrossEntropy(logits, vx, labels: labels, k) }
        var total = 0.0
        vx.withUnsafeBufferPointer { p in
            for r in 0..<rows {
                let row = p.baseAddress! + r * k
                total += Double(logSumExp(row, k)) - Double(row[labels[r]])
            }
        }
        let loss = Tensor(scalar: Float(total / Double(rows)))
        return record(loss, inputs: [logits]) {
            { g, s in
                let scale = g.scalar / Float(rows)
                var dx = rowwise(vx, k) { src, dst in
                    let lse = logSumExp(src, k)
                    for j in 0..<k { dst[j] = expf(src[j] - lse) * scale }
                }
                dx.withUnsafeMutableBufferPointer { d in
                    for r in 0..<rows { d[r * k + labels[r]] -= scale }
                }
                s.add(logits, dx)
            }
        }
    }

    /// Mean over rows of −logProbs[row, target]; logProbs (…, K).
    public func nllLoss(_ logProbs: Var, targets: [Int]) -> Var {
        let vx = value(logProbs)
        let k = vx.shape.last ?? 1
        let rows = vx.count / Swift.max(1, k)
        precondition(rows == targets.count, "nllLoss: \(rows) rows but \(targets.count) targets")
        for t in targets { precondition(t >= 0 && t < k, "nllLoss: target \(t) outside 0..<\(k)") }
        var total = 0.0
        vx.withUnsafeBufferPointer { p in
            for r in 0..<rows { total -= Double(p[r * k + targets[r]]) }
        }
        let xShape = vx.shape
        return record(Tensor(scalar: Float(total / Double(rows))), inputs: [logProbs]) {
            { g, s in
                let scale = g.scalar / Float(rows)
                s.accumulate(logProbs, shape: xShape) { d in
                    for r in 0..<rows { d[r * k + targets[r]] -= scale }
                }
            }
        }
    }
}

extension Tape {
    /// `crossEntropy` over rows of at least `wideRowMinimum` (a decoder's vocabulary): the
    /// vector kernels of WideRows.swift, rows across the workers, log Σ exp kept from the
    /// forward pass for the backward one. The logits stay alive for the backward pass, which
    /// writes the one (rows, K) gradient; no log-probabilities are materialised.
    func wideCrossEntropy(_ logits: Var, _ vx: Tensor, labels: [Int], _ k: Int) -> Var {
        let rows = vx.count / k
        var lse = [Float](repeating: 0, count: rows)
        var total = 0.0
        vx.withUnsafeBufferPointer { p in
            lse.withUnsafeMutableBufferPointer { l in
                forEachWideRow(rows, k) { r in l[r] = wideLogSumExp(p.baseAddress! + r * k, k) }
            }
            for r in 0..<rows { total += Double(lse[r]) - Double(p[r * k + labels[r]]) }
        }
        let logSumExps = lse
        return record(Tensor(scalar: Float(total / Double(rows))), inputs: [logits]) {
            { g, s in
                let scale = g.scalar / Float(rows)
                let sv = SIMD8<Float>(repeating: scale)
                let dx = vx.withUnsafeBufferPointer { p in
                    Tensor.build(vx.shape) { dst in
                        forEachWideRow(rows, k) { r in
                            let l = SIMD8<Float>(repeating: logSumExps[r])
                            wideRowMap(p.baseAddress! + r * k, dst.baseAddress! + r * k, k) { vectorExp($0 - l) * sv }
                            dst[r * k + labels[r]] -= scale
                        }
                    }
                }
                s.add(logits, dx)
            }
        }
    }
}
