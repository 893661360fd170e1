// The range checks every configuration type (search, evaluation) runs in its `validate()`: one
// sentence per problem naming the flag, the allowed range and the value given. Every numeric
// setting goes through one of these, so a configuration that validates holds only finite numbers
// (run.json can never store "nan").

/// Throws `TrainingError.invalidConfiguration` naming `flag` when a value is out of its range.
public enum SettingChecks {
    private static func fail(_ flag: String, _ range: String, _ value: String) throws -> Never {
        throw TrainingError.invalidConfiguration("\(flag) must be \(range), got \(value)")
    }

    /// A finite number > 0 (learning rates, ε, τ0, clipping), also once rounded to Float32,
    /// which the optimisers compute in (1e39 would be infinite there, 1e-50 zero).
    public static func positive(_ flag: String, _ v: Double) throws {
        if !(v.isFinite && v > 0 && Float(v).isFinite && Float(v) > 0) {
            try fail(flag, "a finite number > 0 (within Float32's range)", "\(v)")
        }
    }

    /// A finite number ≥ 0 (weight decays, ρ, a learning-rate floor).
    public static func nonNegative(_ flag: String, _ v: Double) throws {
        if !(v.isFinite && v >= 0 && Float(v).isFinite) { try fail(flag, "a finite number ≥ 0 (within Float32's range)", "\(v)") }
    }

    /// A finite number ≥ `minimum` (FIMT's γ_inc ≥ 1).
    public static func atLeast(_ flag: String, _ v: Double, _ minimum: Double) throws {
        if !(v.isFinite && v >= minimum) { try fail(flag, "a finite number ≥ \(minimum)", "\(v)") }
    }

    /// A number in [0, 1) (momentum, Adam's betas, drop path).
    public static func unitHalfOpen(_ flag: String, _ v: Double) throws {
        if !(v >= 0 && v < 1) { try fail(flag, "in [0, 1)", "\(v)") }
    }

    /// A number in (0, 1] (a moving-average weight).
    public static func unitOpenClosed(_ flag: String, _ v: Double) throws {
        if !(v > 0 && v <= 1) { try fail(flag, "in (0, 1]", "\(v)") }
    }

    /// A number in [0, 1] (a discount).
    public static func unitClosed(_ flag: String, _ v: Double) throws {
        if !(v >= 0 && v <= 1) { try fail(flag, "in [0, 1]", "\(v)") }
    }

    /// A number in (0, 1) (a split fraction).
    public static func unitOpen(_ flag: String, _ v: Double) throws {
        if !(v > 0 && v < 1) { try fail(flag, "in (0, 1)", "\(v)") }
    }

    /// An integer ≥ `minimum` (epochs, batch sizes, channels, periods, retention counts).
    public static func atLeast(_ flag: String, _ v: Int, _ minimum: Int, why: String = "") throws {
        if v < minimum { try fail(flag, "at least \(minimum)" + why, "\(v)") }
    }

    /// The weight optimiser's settings, shared by search and evaluation (SPEC §2, §6): SGD with a
    /// cosine learning rate from `lr` to `lrMin`, momentum, weight decay and total-norm clipping.
    public static func weightOptimizer(lr: Double, lrMin: Double, momentum: Double, weightDecay: Double,
                                       clip: Double) throws {
        try positive("--lr", lr)
        try nonNegative("--lr-min", lrMin)
        try unitHalfOpen("--momentum", momentum)
        try nonNegative("--weight-decay", weightDecay)
        try positive("--grad-clip", clip)
    }

    /// Retention (docs/FORMAT.md): the newest `keepLast` ≥ 1 full states, and every `keepEvery`-th
    /// (0: none).
    public static func retention(keepLast: Int, keepEvery: Int) throws {
        try atLeast("--keep-last", keepLast, 1, why: " (the newest state is the resume point)")
        try atLeast("--keep-every", keepEvery, 0, why: " (0 keeps no every-N-th state)")
    }
}
