// The method's regulariser (none, proximity, ADMM) as one stored value the loop can call.

import DartsCore
import Architecture

/// The α-step regulariser of a method, with all of its state (Codable for checkpoints).
public struct RegularizerState: Codable, Equatable, Sendable {
    public var kind: RegularizerKind
    public var proximity: ProximityRegularizer?
    public var admm: ADMMRegularizer?

    public init(kind: RegularizerKind, rho: Double, admmFrequency: Int, admmDiscount: Double, alphas: [Tensor]) {
        self.kind = kind
        proximity = kind == .proximity ? ProximityRegularizer(rho: rho) : nil
        admm = kind == .admm ? ADMMRegularizer(alphas: alphas, rho: rho, gamma: admmDiscount, frequency: admmFrequency) : nil
    }

    /// R(α) and dR/dα per α matrix of `space`, the space of α's columns (zeros for `none`).
    public func evaluate(alphas: [Tensor], activation: ActivationKind, space: SearchSpace,
                         clockOverEpochs: Double) -> (value: Double, gradients: [Tensor]) {
        switch kind {
        case .none:
            return (0, alphas.map { Tensor(shape: $0.shape) })
        case .proximity:
            return proximity!.evaluate(alphas: alphas, activation: activation, space: space, clockOverEpochs: clockOverEpochs)
        case .admm:
            return admm!.evaluate(alphas: alphas, activation: activation, space: space)
        }
    }

    /// ADMM: count the α step, updating Z and U every `frequency` steps.
    public mutating func afterAlphaStep(alphas: [Tensor], activation: ActivationKind, space: SearchSpace) {
        if kind == .admm { admm!.didTakeArchitectureStep(alphas: alphas, activation: activation, space: space) }
    }

    /// ADMM with CRB: restrict the term to the ops still active.
    public mutating func updateMasks(_ masks: [[Float]]) {
        guard kind == .admm else { return }
        for (i, m) in masks.enumerated() { admm!.setMask(i, to: m) }
    }
}
