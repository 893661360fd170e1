// Regularisers added to the validation loss of an α step (SPEC §5): the proximity term of
// DARTS-PRIME and the ADMM term of the supplement, each with its gradient wrt α.
//
// Both take the α matrices (one per cell type: normal and reduce, or recurrent) as `[rows, cols]`
// tensors shaped by `space`, the space of α's columns (`ActivationKind.columnSpace(of:)`), and
// return a Double value plus one gradient tensor per matrix, to be added to α's gradient from
// the cross-entropy. The projection P(·) is treated as a constant, as the reference code
// detaches it. The space is an argument, not state, so the stored JSON of both stays as it was.

import DartsCore
import Architecture

/// (ρ/2)·D/‖D‖ as a gradient wrt act(α), and ‖D‖; zero gradient where ‖D‖ = 0 (PyTorch's
/// subgradient of the norm at 0).
private func scaledNormGradient(_ d: [Double], scale: Double) -> (norm: Double, grad: [Float]) {
    var ss = 0.0
    for x in d { ss += x * x }
    let norm = ss.squareRoot()
    guard norm > 0 else { return (0, [Float](repeating: 0, count: d.count)) }
    return (norm, d.map { Float(scale * $0 / norm) })
}

/// A regulariser's α must be shaped by the space it is projected in.
private func checkShapes(_ alphas: [Tensor], _ space: SearchSpace, _ who: String) {
    for (n, alpha) in alphas.enumerated() {
        precondition(alpha.shape == space.alphaShape,
                     "\(who): α \(n) has shape \(alpha.shape), the space \(space.alphaShape)")
    }
}

/// Proximity regularisation (paper eq. 8): `R = Σ (clock/E)·(ρ/2)·‖act(α) − P(act(α))‖_F`.
public struct ProximityRegularizer: Codable, Equatable, Sendable {
    /// ρ (0.1 for images and text).
    public var rho: Double

    public init(rho: Double = 0.1) { self.rho = rho }

    /// Value and dR/dα for each α matrix of `space`, at `clockOverEpochs` = clock / E.
    public func evaluate(alphas: [Tensor], activation: ActivationKind, space: SearchSpace, clockOverEpochs: Double)
        -> (value: Double, gradients: [Tensor]) {
        checkShapes(alphas, space, "proximity")
        let scale = clockOverEpochs * rho / 2
        var value = 0.0
        var grads: [Tensor] = []
        for alpha in alphas {
            let act = activation.activatedRows(alpha)
            let p = project(activated: act, space: space).mask
            let d = zip(act, p).flatMap { zip($0, $1).map { $0 - $1 } }
            let (norm, g) = scaledNormGradient(d, scale: scale)
            value += scale * norm
            grads.append(activation.backward(alpha: alpha, gradActivated: Tensor(shape: alpha.shape, scalars: g)))
        }
        return (value, grads)
    }
}

/// ADMM regularisation (supplement S1.2): `R = Σ (ρ/2)·‖(act(α) − Z + U) ⊙ mask‖_F`, with
/// Z ← P(act(α + U)) and U ← (γ·U + α − Z) ⊙ mask every `frequency` α steps.
///
/// Z starts at α, U at 0, mask at 1 everywhere; with CRB the caller sets the mask to the
/// active entries (`CRBPruning.activeMask`) after each pruning. All state is stored for checkpoints.
public struct ADMMRegularizer: Codable, Equatable, Sendable {
    public var rho: Double
    /// Discount γ of U (1.0 as in the published code path).
    public var gamma: Double
    /// α steps between Z/U updates (10).
    public var frequency: Int
    /// Per α matrix, row-major.
    public var z: [[Float]]
    public var u: [[Float]]
    public var mask: [[Float]]
    /// α steps taken so far.
    public var alphaSteps: Int

    public init(alphas: [Tensor], rho: Double = 0.1, gamma: Double = 1.0, frequency: Int = 10) {
        precondition(frequency > 0, "ADMM: frequency must be positive, got \(frequency)")
        self.rho = rho
        self.gamma = gamma
        self.frequency = frequency
        self.z = alphas.map(\.scalars)
        self.u = alphas.map { [Float](repeating: 0, count: $0.count) }
        self.mask = alphas.map { [Float](repeating: 1, count: $0.count) }
        self.alphaSteps = 0
    }

    /// Value and dR/dα for each α matrix of `space`.
    public func evaluate(alphas: [Tensor], activation: ActivationKind, space: SearchSpace)
        -> (value: Double, gradients: [Tensor]) {
        precondition(alphas.count == z.count, "ADMM: \(alphas.count) α matrices for \(z.count) states")
        checkShapes(alphas, space, "ADMM")
        let scale = rho / 2
        var value = 0.0
        var grads: [Tensor] = []
        for (n, alpha) in alphas.enumerated() {
            let a = activation.apply(alpha).scalars
            precondition(a.count == z[n].count, "ADMM: α \(n) has \(a.count) entries, state \(z[n].count)")
            let zn = z[n], un = u[n], mn = mask[n]
            var d = [Double](repeating: 0, count: a.count)
            for i in 0..<a.count {
                let diff: Double = Double(a[i]) - Double(zn[i]) + Double(un[i])
                d[i] = diff * Double(mn[i])
            }
            let (norm, g) = scaledNormGradient(d, scale: scale)
            value += scale * norm
            grads.append(activation.backward(alpha: alpha, gradActivated: Tensor(shape: alpha.shape, scalars: g)))
        }
        return (value, grads)
    }

    /// Counts one α step; on every `frequency`-th updates Z and U, projecting in `space`.
    /// Returns whether it updated.
    @discardableResult
    public mutating func didTakeArchitectureStep(alphas: [Tensor], activation: ActivationKind,
                                                 space: SearchSpace) -> Bool {
        alphaSteps += 1
        guard alphaSteps % frequency == 0 else { return false }
        precondition(alphas.count == z.count, "ADMM: \(alphas.count) α matrices for \(z.count) states")
        checkShapes(alphas, space, "ADMM")
        for (n, alpha) in alphas.enumerated() {
            let a = alpha.scalars
            let un = u[n]
            let shifted = Tensor(shape: alpha.shape, scalars: (0..<a.count).map { a[$0] + un[$0] })
            let p = project(activated: activation.activatedRows(shifted), space: space).mask
            let newZ = p.flatMap { $0.map(Float.init) }
            let g = Float(gamma)
            var newU = u[n]
            let mn = mask[n]
            for i in 0..<a.count { newU[i] = (g * newU[i] + (a[i] - newZ[i])) * mn[i] }
            z[n] = newZ
            u[n] = newU
        }
        return true
    }

    /// Sets the mask of α matrix `index` (1 = active, 0 = pruned).
    public mutating func setMask(_ index: Int, to values: [Float]) {
        precondition(values.count == mask[index].count, "ADMM: mask of α \(index) has the wrong size")
        mask[index] = values
    }
}
