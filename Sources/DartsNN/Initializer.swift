// PyTorch's default initialisers (SPEC §1, §7): convolutions, linear layers, batch norm,
// embeddings, and α.
//
// Every draw comes from a caller-owned PhiloxRandom, in row-major order, so the network built
// from a seed is the same on every machine. The layers (Layers/) are the only callers that draw
// weights: each calls one of these once per tensor, in creation order.

import DartsCore

/// Factories for freshly initialised tensors.
public enum Initializer {
    /// U(−b, b) with b = 1/√fanIn — PyTorch's `kaiming_uniform_(a=√5)` for weights and its
    /// bias rule alike.
    public static func uniformFanIn(shape: [Int], fanIn: Int, rng: inout PhiloxRandom) -> Tensor {
        precondition(fanIn > 0, "uniformFanIn: fan-in must be positive, got \(fanIn)")
        let bound = Float(1 / Double(fanIn).squareRoot())
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: rng.uniform(count: n, low: -bound, high: bound))
    }

    /// Convolution weight of shape `[Cout, Cin/groups, kh, kw]`; fan-in = (Cin/groups)·kh·kw.
    public static func convWeight(shape: [Int], rng: inout PhiloxRandom) -> Tensor {
        precondition(shape.count == 4, "convWeight: shape must be [Cout, Cin/groups, kh, kw], got \(shape)")
        return uniformFanIn(shape: shape, fanIn: shape[1] * shape[2] * shape[3], rng: &rng)
    }

    /// Linear weight of shape `[out, in]`; fan-in = in.
    public static func linearWeight(outFeatures: Int, inFeatures: Int, rng: inout PhiloxRandom) -> Tensor {
        uniformFanIn(shape: [outFeatures, inFeatures], fanIn: inFeatures, rng: &rng)
    }

    /// Linear bias of shape `[out]`, U(−1/√in, 1/√in).
    public static func linearBias(outFeatures: Int, inFeatures: Int, rng: inout PhiloxRandom) -> Tensor {
        uniformFanIn(shape: [outFeatures], fanIn: inFeatures, rng: &rng)
    }

    /// Batch-norm defaults for `channels`: γ = 1, β = 0, running mean 0, running var 1.
    public static func batchNorm(channels: Int)
        -> (weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor) {
        (Tensor(shape: [channels], repeating: 1), Tensor(shape: [channels]),
         Tensor(shape: [channels]), Tensor(shape: [channels], repeating: 1))
    }

    /// Embedding table of shape `[vocabulary, dimension]`, U(−range, range): DARTS's text model
    /// sets its `initrange` 0.04 instead of PyTorch's N(0, 1) default (SPEC §7).
    public static func embedding(vocabulary: Int, dimension: Int, range: Float = 0.04,
                                 rng: inout PhiloxRandom) -> Tensor {
        uniform(shape: [vocabulary, dimension], range: range, rng: &rng)
    }

    /// U(−range, range) of `shape`, row-major: DARTS's `initrange` rule for the text model's
    /// embedding and recurrent cell matrices (SPEC §7).
    public static func uniform(shape: [Int], range: Float, rng: inout PhiloxRandom) -> Tensor {
        precondition(range > 0, "uniform initialisation: range must be positive, got \(range)")
        return Tensor(shape: shape, scalars: rng.uniform(count: shape.reduce(1, *), low: -range, high: range))
    }

    /// Softmax α: 1e−3·N(0, 1), shape `[edges, ops]`.
    public static func alpha(edges: Int, ops: Int, rng: inout PhiloxRandom) -> Tensor {
        Tensor(shape: [edges, ops], scalars: rng.normal(count: edges * ops).map { 1e-3 * $0 })
    }

    /// CRB α: 1/ops + 1e−4·N(0, 1), shape `[edges, ops]` (`none` is dropped: 1/7 for the CNN
    /// space, 1/4 for the recurrent one).
    public static func crbAlpha(edges: Int, ops: Int, rng: inout PhiloxRandom) -> Tensor {
        let uniform = Float(1.0 / Double(ops))
        return Tensor(shape: [edges, ops], scalars: rng.normal(count: edges * ops).map { uniform + 1e-4 * $0 })
    }
}
