// The dropouts of DARTS's recurrent models, as masks drawn from an explicit generator: locked
// dropout (one mask per sequence and feature, shared over the time steps of a pass) and
// embedding dropout (DARTS's `embedded_dropout`: whole words dropped from the table). A mask
// holds 0 or 1/keep, so a kept value is scaled and the expectation is unchanged.
// The recurrent search model's masks (Search/Recurrent, RecurrentMaskSampler) are drawn here too.

import DartsCore

public enum RecurrentDropout {
    /// A (rows, columns) mask of Bernoulli(keep)/keep. Every element is drawn, also at keep 1,
    /// so the generator's position depends on the sizes only.
    public static func mask(rows: Int, columns: Int, keep: Double, rng: inout PhiloxRandom) -> Tensor {
        precondition(keep > 0 && keep <= 1, "mask keep probability \(keep) outside (0, 1]")
        let scale = Float(1 / keep)
        return Tensor(shape: [rows, columns], scalars: rng.bernoulliMask(count: rows * columns, keep: keep).map { $0 * scale })
    }

    /// A (rows, columns) mask of Bernoulli(1 − drop)/(1 − drop) (DARTS's evaluation states drop
    /// probabilities).
    public static func mask(rows: Int, columns: Int, drop: Double, rng: inout PhiloxRandom) -> Tensor {
        precondition(drop >= 0 && drop < 1, "dropout probability \(drop) outside [0, 1)")
        return mask(rows: rows, columns: columns, keep: 1 - drop, rng: &rng)
    }

    /// DARTS's `embedded_dropout`: one Bernoulli(1 − drop)/(1 − drop) factor per word of the
    /// vocabulary (a dropped word's whole row is 0 wherever it occurs in the batch).
    public static func wordMask(vocabulary: Int, drop: Double, rng: inout PhiloxRandom) -> [Float] {
        mask(rows: vocabulary, columns: 1, drop: drop, rng: &rng).scalars
    }

    /// The word factors spread over an embedding table of `dimension` columns, (V, dimension),
    /// for `Tape.dropout` on the table.
    public static func tableMask(words: [Float], dimension: Int) -> Tensor {
        Tensor.build([words.count, dimension]) { dst in
            for (r, f) in words.enumerated() {
                for c in 0..<dimension { dst[r * dimension + c] = f }
            }
        }
    }

    /// A locked mask (B, D) repeated over `steps` time steps: (steps·B, D), time-major rows.
    public static func overTime(_ mask: Tensor, steps: Int) -> Tensor {
        let n = mask.count
        return mask.withUnsafeBufferPointer { src in
            Tensor.build([steps * mask.shape[0]] + Array(mask.shape.dropFirst())) { dst in
                for t in 0..<steps { (dst.baseAddress! + t * n).update(from: src.baseAddress!, count: n) }
            }
        }
    }
}
