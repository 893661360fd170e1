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
