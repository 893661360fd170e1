// Drop path (SPEC §6, DARTS's `drop_path`): during training each op output that is not an
// identity is, per sample, zeroed with probability p and otherwise scaled by 1/(1 − p).

import DartsCore

/// The per-sample factors of one drop-path mask, drawn from a caller-owned generator.
///
/// The generator is the caller's (not the network's) so that a run kind can store its state in a
/// checkpoint and a resumed run draws the same masks. Draw order, part of the reproducibility
/// contract: `EvaluationNetwork.forward` asks for one mask per op that is not an identity, cell
/// by cell, node by node, the node's two ops in genotype order; each mask takes one
/// `nextUniformDouble()` per sample in batch order, and sample n survives when its uniform is
/// below 1 − p (`PhiloxRandom.bernoulliMask`). Nothing is drawn when p = 0 or in evaluation mode.
public enum DropPath {
    /// Factors for `samples` samples: 1/(1 − p) for a survivor, 0 for a dropped sample.
    public static func factors(samples: Int, probability p: Double, rng: inout PhiloxRandom) -> [Float] {
        precondition(p >= 0 && p < 1, "drop-path probability must lie in [0, 1), got \(p)")
        let keep = 1 - p
        // PyTorch's `x / keep * mask` divides a float tensor by a scalar, which its CPU kernel
        // does as a multiplication by the reciprocal: the same Float as here.
        let scale = Float(1 / keep)
        return rng.bernoulliMask(count: samples, keep: keep).map { $0 * scale }
    }
}
