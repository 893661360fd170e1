// The peak memory of a recurrent evaluation, estimated before the network is built
// (MemoryBudget.swift refuses one that cannot fit). Calibrated against one measured peak RSS:
// 327 MB at the cpu profile (V 7 596 on valid-as-train, nhid 200, batch 32, bptt 35), where
// this gives ≈ 280 MB.

import Training

extension RecurrentEvaluationConfiguration {
    /// Floats kept for backward per time step, sample and hidden unit: W0's and each node's
    /// matrix product (2H), its two halves, σ, f, the difference, product and sum, the masks.
    static let keptFloatsPerUnit = 80.0
    static let baseBytes = 60e6

    /// Estimated peak bytes for a vocabulary of `vocabulary` words: the weights five times (value,
    /// gradient, the average, the masked table and its gradient), the time steps' activations of
    /// the longest batch, and the log-probabilities with their gradients (three T·B·V tensors).
    public func estimatedPeakBytes(vocabulary: Int) -> Double {
        let (v, h, b, t) = (Double(vocabulary), Double(hiddenSize), Double(batchSize), Double(bptt))
        let weights = v * h + 4 * h * h + 8 * h * 2 * h + v
        let activations = Self.keptFloatsPerUnit * t * b * h
        let logits = 3 * t * b * v
        return Self.baseBytes + 4 * (5 * weights + activations + logits)
    }

    /// Refuses an evaluation whose estimated peak exceeds `available` bytes (default: this machine's).
    public func validateFitsMemory(vocabulary: Int, available: Double? = MachineMemory.availableBytes()) throws {
        try MachineMemory.check(estimate: estimatedPeakBytes(vocabulary: vocabulary), of: "the recurrent evaluation network",
                                settings: "--nhid \(hiddenSize), --batch-size \(batchSize), --bptt \(bptt) (vocabulary \(vocabulary))",
                                lower: "--nhid, --batch-size or --bptt", available: available)
    }
}
