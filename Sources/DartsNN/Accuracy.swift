// Top-1 accuracy of a batch of logits: the search's and the evaluation's figure, one rule.

import DartsCore

/// Fraction of rows of `logits` (N × K) whose arg-max is the label (first maximum on ties);
/// NaN for an empty batch.
public func topOneAccuracy(_ logits: Tensor, _ labels: [Int]) -> Double {
    let k = logits.shape[1]
    var correct = 0
    logits.withUnsafeBufferPointer { l in
        for (i, y) in labels.enumerated() {
            var best = 0
            for j in 1..<k where l[i * k + j] > l[i * k + best] { best = j }
            if best == y { correct += 1 }
        }
    }
    return labels.isEmpty ? .nan : Double(correct) / Double(labels.count)
}
