// `--steps A:B`: the inclusive step slice of an export; either end may be left empty
// (`:50`, `100:`), and a lone `N` means step N.

public struct StepRange: Equatable, Sendable, CustomStringConvertible {
    public var lower: Int?
    public var upper: Int?

    public init(lower: Int? = nil, upper: Int? = nil) { self.lower = lower; self.upper = upper }

    /// Every step.
    public static let all = StepRange()

    /// Parses `A:B`, `A:`, `:B`, `:` or `N` (steps ≥ 0, A ≤ B); nil when the text is none of these.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func bound(_ s: String) -> Int?? {
            if s.isEmpty { return .some(nil) }
            guard s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = Int(s) else { return nil }  // digits only: no sign
            return .some(v)
        }
        switch parts.count {
        case 1:
            guard let v = bound(parts[0]), let n = v else { return nil }
            lower = n; upper = n
        case 2:
            guard let a = bound(parts[0]), let b = bound(parts[1]) else { return nil }
            if let a, let b, a > b { return nil }
            lower = a; upper = b
        default:
            return nil
        }
    }

    public func contains(_ step: Int) -> Bool { step >= (lower ?? .min) && step <= (upper ?? .max) }

    public var description: String { "\(lower.map(String.init) ?? ""):\(upper.map(String.init) ?? "")" }
}
