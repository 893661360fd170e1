// The dropout masks of one forward pass of the recurrent search model (SPEC §7), as a value:
// the forward takes them instead of drawing them, so a fixture can pin them and a run draws
// them from its own PhiloxRandom (whose state the checkpoint keeps).

import DartsCore
import DartsNN

/// Masks already scaled by 1/keep, each (B, dim) and shared over the time steps of a pass.
public struct RecurrentMasks: Equatable, Sendable {
    /// On the cell input x (B, inputSize): keep 0.25 in the search.
    public var x: Tensor
    /// On every state fed to a matrix, h_prev and s_0…s_7 (B, hiddenSize): keep 0.75.
    public var h: Tensor
    /// Locked dropout on the embedding (B, inputSize): keep 0.8.
    public var lockIn: Tensor
    /// Locked dropout on the cell outputs (B, hiddenSize): keep 0.25.
    public var lockOut: Tensor

    /// Any shapes holding B·dim elements are taken as (B, dim), e.g. PyTorch's (1, B, dim).
    public init(x: Tensor, h: Tensor, lockIn: Tensor, lockOut: Tensor) {
        self.x = x; self.h = h; self.lockIn = lockIn; self.lockOut = lockOut
    }

    /// No dropout (evaluation): every mask is 1.
    public static func none(batchSize b: Int, inputSize d: Int, hiddenSize h: Int) -> RecurrentMasks {
        RecurrentMasks(x: Tensor(shape: [b, d], repeating: 1), h: Tensor(shape: [b, h], repeating: 1),
                       lockIn: Tensor(shape: [b, d], repeating: 1), lockOut: Tensor(shape: [b, h], repeating: 1))
    }

    /// Whether every mask holds batchSize·dim elements for its dimension.
    public func fits(batchSize b: Int, inputSize d: Int, hiddenSize h: Int) -> Bool {
        x.count == b * d && lockIn.count == b * d && self.h.count == b * h && lockOut.count == b * h
    }
}

/// Keep probabilities of the four masks; draws them as Bernoulli(keep)/keep.
public struct RecurrentMaskSampler: Codable, Equatable, Sendable {
    public var keepX: Double
    public var keepH: Double
    public var keepInput: Double
    public var keepOutput: Double

    /// The search's defaults (SPEC §7): x 0.25, h 0.75, embedding 0.8 (dropout 0.2), output
    /// 0.25 (dropout 0.75).
    public init(keepX: Double = 0.25, keepH: Double = 0.75, keepInput: Double = 0.8, keepOutput: Double = 0.25) {
        for k in [keepX, keepH, keepInput, keepOutput] {
            precondition(k > 0 && k <= 1, "mask keep probability \(k) outside (0, 1]")
        }
        self.keepX = keepX; self.keepH = keepH; self.keepInput = keepInput; self.keepOutput = keepOutput
    }

    /// One pass's masks, drawn in the reference's order: embedding, x, h, output. Every mask
    /// draws its elements even at keep 1, so the generator's position depends on sizes only.
    public func sample(batchSize b: Int, inputSize d: Int, hiddenSize h: Int,
                       rng: inout PhiloxRandom) -> RecurrentMasks {
        let lockIn = RecurrentDropout.mask(rows: b, columns: d, keep: keepInput, rng: &rng)
        let x = RecurrentDropout.mask(rows: b, columns: d, keep: keepX, rng: &rng)
        let hm = RecurrentDropout.mask(rows: b, columns: h, keep: keepH, rng: &rng)
        let lockOut = RecurrentDropout.mask(rows: b, columns: h, keep: keepOutput, rng: &rng)
        return RecurrentMasks(x: x, h: hm, lockIn: lockIn, lockOut: lockOut)
    }
}
