// When to take an α step (SPEC §3): every iteration, every r-th, or by the FIMT threshold.
//
// A value type with all of its state stored, so a checkpoint saves it whole and a resumed run
// makes the same decisions. Double precision throughout.

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// The α-step schedule and its state.
public struct ArchitectureSchedule: Codable, Equatable, Sendable {
    public var kind: ScheduleKind
    /// Expected weight steps per α step (CS10 and FIMT: 10).
    public var r: Int
    /// FIMT initial threshold τ0.
    public var tau0: Double
    /// FIMT threshold increasing factor γ_inc.
    public var gammaInc: Double
    /// FIMT moving-average weight β of the newest trace.
    public var beta: Double

    /// FIMT threshold τ (carried across epochs).
    public var tau: Double
    /// FIMT moving average F̄ (0 before the first weight step).
    public var fbar: Double
    /// Whether any FIMT has been recorded yet.
    public var hasFbar: Bool

    public init(kind: ScheduleKind, r: Int = 10, tau0: Double = 1.0, gammaInc: Double = 1.05,
                beta: Double = 0.2) {
        precondition(r > 0, "ArchitectureSchedule: r must be positive, got \(r)")
        self.kind = kind
        self.r = r
        self.tau0 = tau0
        self.gammaInc = gammaInc
        self.beta = beta
        self.tau = tau0
        self.fbar = 0
        self.hasFbar = false
    }

    /// γ_dec = γ_inc^(−r): with a constant F̄, r iterations without an α step raise τ by
    /// γ_inc^r and the one with a step brings it back, so the schedule settles into exactly
    /// one α step every r + 1 iterations (r weight-only iterations, then one with both).
    public var gammaDec: Double { pow(gammaInc, -Double(r)) }

    /// Whether iteration `b` of the epoch (global iteration `t`, both 0-based) takes an α step.
    ///
    /// - alternate: always. - constant: `(b+1) mod r == 0`.
    /// - FIMT: iff `0 < F̄ < τ`, using F̄ from the weight steps before this iteration; then
    ///   τ ← τ·γ_dec on a step, τ ← τ·γ_inc otherwise. Before any FIMT is recorded F̄ is 0, so
    ///   the first iteration never steps and its τ is multiplied by γ_inc (the reference keeps
    ///   F̄ = 0 until the first weight step and applies the same rule; `t` is not needed
    ///   beyond that and is accepted for the caller's clarity and for checks).
    public mutating func shouldStepArchitecture(iterationInEpoch b: Int, globalIteration t: Int) -> Bool {
        switch kind {
        case .alternate:
            return true
        case .constant:
            return (b + 1) % r == 0
        case .fimt:
            let step = t > 0 && hasFbar && fbar > 0 && fbar < tau
            tau *= step ? gammaDec : gammaInc
            return step
        }
    }

    /// Records the FIMT of a weight step: F̄ = F the first time, then F̄ ← β·F + (1−β)·F̄.
    public mutating func recordFIMT(_ F: Double) {
        if hasFbar {
            fbar = beta * F + (1 - beta) * fbar
        } else {
            fbar = F
            hasFbar = true
        }
    }
}
