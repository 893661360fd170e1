// Search methods (SPEC §5): which α schedule, regulariser and activation a run uses, and how
// the training set is split between weight and α steps.

/// How α are turned into mixing weights.
public enum ActivationKind: String, Codable, CaseIterable, Sendable {
    /// Row-wise softmax over 8 ops (DARTS).
    case softmax
    /// clamp(α, 0, 1) over 7 ops, `none` removed, α ≤ 0 pruned for good (supplement S1.1).
    case crb
}

/// The term added to the validation loss of an α step.
public enum RegularizerKind: String, Codable, CaseIterable, Sendable {
    case none
    /// (clock/E)·(ρ/2)·‖act(α) − P(act(α))‖ (paper eq. 8).
    case proximity
    /// (ρ/2)·‖(act(α) − Z + U) ⊙ mask‖ with periodic Z, U updates (supplement S1.2).
    case admm
}

/// When α steps happen (SPEC §3).
public enum ScheduleKind: String, Codable, CaseIterable, Sendable {
    /// Every iteration (DARTS).
    case alternate
    /// Every r-th iteration of an epoch (CS10).
    case constant
    /// When the FIMT moving average is under an adaptive threshold.
    case fimt
}

/// A method error: prints as one sentence.
public enum MethodError: Error, CustomStringConvertible, Equatable, Sendable {
    case unknown(String)
    case conflicting(String)

    public var description: String {
        switch self {
        case let .unknown(s):
            return "Unknown search method '\(s)': use darts, cs10, fimt, pr or prime, optionally "
                + "followed by +admm and/or +crb (e.g. fimt+admm+crb)."
        case let .conflicting(s):
            return "Search method '\(s)' asks for two regularisers; proximity and ADMM are alternatives."
        }
    }
}

/// A row of the paper's tables: schedule, regulariser, activation, and the data split.
public struct MethodSpec: Codable, Equatable, Hashable, Sendable {
    public var schedule: ScheduleKind
    public var regularizer: RegularizerKind
    public var activation: ActivationKind
    /// Split the training images p = 1 − 1/(1+r) for weights (else p = ½).
    public var dynamicSplit: Bool

    public init(schedule: ScheduleKind, regularizer: RegularizerKind, activation: ActivationKind,
                dynamicSplit: Bool) {
        self.schedule = schedule
        self.regularizer = regularizer
        self.activation = activation
        self.dynamicSplit = dynamicSplit
    }

    /// Plain DARTS (first order): alternate, no regulariser, softmax, half split.
    public static let darts = MethodSpec(schedule: .alternate, regularizer: .none, activation: .softmax,
                                         dynamicSplit: false)

    /// Parses `darts`, `cs10`, `fimt`, `pr`, `prime`, each optionally with `+admm` and/or
    /// `+crb` in any order; a bare `crb` or `admm` means `darts+crb` / `darts+admm`.
    /// Extra suffixes make every spec nameable: `+prox` adds proximity (for `cs10+prox`), and
    /// `+split` / `+halfsplit` override the base's data split. Case-insensitive.
    ///
    /// cs10, fimt and prime use the dynamic split (SPEC §5); `pr` is alternate + proximity;
    /// `prime` is FIMT + proximity + dynamic split. `+crb`/`+admm` keep the base's split.
    public static func parse(_ s: String) throws -> MethodSpec {
        let parts = s.lowercased().split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        guard let head = parts.first, !head.isEmpty else { throw MethodError.unknown(s) }
        var spec: MethodSpec
        var rest = parts.dropFirst()
        switch head {
        case "darts": spec = .darts
        case "cs10": spec = MethodSpec(schedule: .constant, regularizer: .none, activation: .softmax, dynamicSplit: true)
        case "fimt": spec = MethodSpec(schedule: .fimt, regularizer: .none, activation: .softmax, dynamicSplit: true)
        case "pr": spec = MethodSpec(schedule: .alternate, regularizer: .proximity, activation: .softmax, dynamicSplit: false)
        case "prime": spec = MethodSpec(schedule: .fimt, regularizer: .proximity, activation: .softmax, dynamicSplit: true)
        case "crb", "admm": spec = .darts; rest = parts[...]
        default: throw MethodError.unknown(s)
        }
        var seen = Set<String>()
        for m in rest {
            guard seen.insert(m).inserted else { throw MethodError.unknown(s) }
            switch m {
            case "crb": spec.activation = .crb
            case "admm", "prox":
                guard spec.regularizer == .none else { throw MethodError.conflicting(s) }
                spec.regularizer = m == "admm" ? .admm : .proximity
            case "split": spec.dynamicSplit = true
            case "halfsplit": spec.dynamicSplit = false
            default: throw MethodError.unknown(s)
            }
        }
        if seen.contains("split") && seen.contains("halfsplit") { throw MethodError.unknown(s) }
        return spec
    }

    /// Canonical name: `parse(name) == self` for every spec.
    public var name: String {
        let prox = regularizer == .proximity
        var s: String
        let baseSplit: Bool
        switch schedule {
        case .alternate: s = prox ? "pr" : "darts"; baseSplit = false
        case .constant: s = prox ? "cs10+prox" : "cs10"; baseSplit = true
        case .fimt: s = prox ? "prime" : "fimt"; baseSplit = true
        }
        if regularizer == .admm { s += "+admm" }
        if activation == .crb { s += "+crb" }
        if dynamicSplit != baseSplit { s += dynamicSplit ? "+split" : "+halfsplit" }
        return s
    }

    /// Fraction of the training images that train the weights: ½, or 1 − 1/(1+r) with the
    /// dynamic split (10/11 for r = 10).
    public func trainFraction(r: Int) -> Double {
        dynamicSplit ? 1 - 1 / (1 + Double(r)) : 0.5
    }
}
