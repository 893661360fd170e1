// Key-by-key comparison of two stored states (two checkpoints, or two fingerprints when only
// digests are known): which keys differ, by how much, and which exist on one side only, in the
// canonical order of the state (FORMAT.md §4: arrays, scalars, integers, strings; keys by their
// UTF-8 bytes), so the first difference is the same on every machine. `diff` and `audit` share it.

import RunStore

/// The sections of a state, in the order the whole-state digest lists them.
public enum StateSection: String, Sendable, Codable, CaseIterable {
    case arrays, scalars, integers, strings
}

/// How one key differs between side A and side B.
public struct KeyDifference: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case values
        case dtype
        case shape
        case onlyInA = "only_in_a"
        case onlyInB = "only_in_b"
    }

    public var section: StateSection
    public var key: String
    public var kind: Kind
    /// Elements whose bits differ, of how many (nil when only digests were known).
    public var differingElements: Int?
    public var elements: Int?
    /// max |a−b| and max |a−b|/max(|a|,|b|,tiny) over the elements (nil when only digests were
    /// known or the values are strings); +inf where a non-finite value differs.
    public var maxAbsoluteDifference: Double?
    public var maxRelativeDifference: Double?
    /// Each side in short: "float32 [16,3,3,3]" for arrays, the value for scalars, integers and
    /// strings (strings cut at 80 characters; their digest when only digests were known).
    public var a: String?
    public var b: String?

    /// The section-qualified key as the checkpoint file names it, e.g. `arrays/model/stem.0.weight`.
    public var path: String { section.rawValue + "/" + key }

    public var description: String {
        switch kind {
        case .onlyInA: return "\(path): only in A"
        case .onlyInB: return "\(path): only in B"
        case .dtype, .shape: return "\(path): \(kind.rawValue) differs (A \(a ?? "?"), B \(b ?? "?"))"
        case .values:
            var parts: [String] = []
            if let n = differingElements, let of = elements, section == .arrays { parts.append("\(n) of \(of) elements differ") }
            if let d = maxAbsoluteDifference { parts.append("max abs \(Self.number(d))") }
            if let r = maxRelativeDifference { parts.append("max rel \(Self.number(r))") }
            if section != .arrays, let a, let b { parts.append("A \(a), B \(b)") }
            if parts.isEmpty { parts.append("digests differ") }
            return "\(path): " + parts.joined(separator: ", ")
        }
    }

    static func number(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "\(x)" }

    enum CodingKeys: String, CodingKey {
        case section, key, kind, a, b
        case differingElements = "differing_elements", elements
        case maxAbsoluteDifference = "max_abs_difference", maxRelativeDifference = "max_rel_difference"
    }
}

/// The result of comparing two states.
public struct StateComparison: Sendable, Equatable {
    public var stepA: Int
    public var stepB: Int
    /// In canonical order; empty when every key holds the same bits on both sides.
    public var differences: [KeyDifference]
    /// Keys present on either side.
    public var keysCompared: Int

    public var isIdentical: Bool { stepA == stepB && differences.isEmpty }
    public var firstDifference: KeyDifference? { differences.first }

    /// The denominator's floor in the relative difference (keeps ±0 against 0 finite).
    public static let tiny = Double.leastNormalMagnitude

    /// Compares two full states value by value.
    public init(_ a: Checkpoint, _ b: Checkpoint) {
        stepA = a.step; stepB = b.step; differences = []; keysCompared = 0
        compare(.arrays, a.arrays, b.arrays, Self.arrayDifference)
        compare(.scalars, a.scalars, b.scalars) { x, y in Self.numberDifference(x, y, same: x.bitPattern == y.bitPattern) }
        compare(.integers, a.integers, b.integers) { x, y in Self.numberDifference(Double(x), Double(y), same: x == y, text: (String(x), String(y))) }
        compare(.strings, a.strings, b.strings) { x, y in
            x == y ? nil : KeyDifference(section: .strings, key: "", kind: .values, a: Self.cut(x), b: Self.cut(y))
        }
    }

    /// Compares two states of which only digests are known: differing arrays and strings are
    /// named without values; scalars and integers (whose digest lines hold them exactly) with.
    public init(_ a: StateFingerprint, _ b: StateFingerprint) {
        stepA = a.step; stepB = b.step; differences = []; keysCompared = 0
        compare(.arrays, a.arrays, b.arrays) { x, y in
            if let d = Self.layoutDifference(x.dtype, x.shape, y.dtype, y.shape) { return d }
            return x.digest == y.digest ? nil : KeyDifference(section: .arrays, key: "", kind: .values, elements: x.shape.reduce(1, *))
        }
        compare(.scalars, a.scalars, b.scalars) { x, y in
            Self.numberDifference(Double(bitPattern: x), Double(bitPattern: y), same: x == y)
        }
        compare(.integers, a.integers, b.integers) { x, y in Self.numberDifference(Double(x), Double(y), same: x == y, text: (String(x), String(y))) }
        compare(.strings, a.strings, b.strings) { x, y in
            x == y ? nil : KeyDifference(section: .strings, key: "", kind: .values, a: x, b: y)
        }
    }

    /// Appends the differences of one section: the union of keys in byte order; `differ`
    /// returns nil for equal values, else a difference whose section and key are filled here.
    private mutating func compare<V>(_ section: StateSection, _ a: [String: V], _ b: [String: V],
                                     _ differ: (V, V) -> KeyDifference?) {
        let keys = StateDigest.sortedKeys(Set(a.keys).union(b.keys))
        keysCompared += keys.count
        for key in keys {
            var d: KeyDifference
            switch (a[key], b[key]) {
            case let (x?, y?):
                guard let found = differ(x, y) else { continue }
                d = found
            case (_?, nil): d = KeyDifference(section: section, key: key, kind: .onlyInA)
            default: d = KeyDifference(section: section, key: key, kind: .onlyInB)
            }
            d.section = section
            d.key = key
            differences.append(d)
        }
    }

    static func layout(_ dtype: StoredDType, _ shape: [Int]) -> String {
        "\(dtype.rawValue) [\(shape.map(String.init).joined(separator: ","))]"
    }

    static func layoutDifference(_ da: StoredDType, _ sa: [Int], _ db: StoredDType, _ sb: [Int]) -> KeyDifference? {
        guard da != db || sa != sb else { return nil }
        return KeyDifference(section: .arrays, key: "", kind: da != db ? .dtype : .shape, a: layout(da, sa), b: layout(db, sb))
    }

    static func arrayDifference(_ a: StoredArray, _ b: StoredArray) -> KeyDifference? {
        if let d = layoutDifference(a.dtype, a.shape, b.dtype, b.shape) { return d }
        guard a.data != b.data else { return nil }
        var stats = ElementStatistics()
        switch (a.data, b.data) {
        case let (.float32(x), .float32(y)):
            for i in x.indices { stats.add(Double(x[i]), Double(y[i]), same: x[i].bitPattern == y[i].bitPattern) }
        case let (.float64(x), .float64(y)):
            for i in x.indices { stats.add(x[i], y[i], same: x[i].bitPattern == y[i].bitPattern) }
        case let (.int64(x), .int64(y)):
            for i in x.indices { stats.add(Double(x[i]), Double(y[i]), same: x[i] == y[i]) }
        case let (.uint8(x), .uint8(y)):
            for i in x.indices { stats.add(Double(x[i]), Double(y[i]), same: x[i] == y[i]) }
        default:
            break  // same dtype on both sides (checked above)
        }
        return KeyDifference(section: .arrays, key: "", kind: .values, differingElements: stats.differing, elements: a.count,
                             maxAbsoluteDifference: stats.maxAbsolute, maxRelativeDifference: stats.maxRelative,
                             a: layout(a.dtype, a.shape), b: layout(b.dtype, b.shape))
    }

    static func numberDifference(_ x: Double, _ y: Double, same: Bool, text: (String, String)? = nil) -> KeyDifference? {
        guard !same else { return nil }
        var stats = ElementStatistics()
        stats.add(x, y, same: false)
        return KeyDifference(section: .scalars, key: "", kind: .values, differingElements: 1, elements: 1,
                             maxAbsoluteDifference: stats.maxAbsolute, maxRelativeDifference: stats.maxRelative,
                             a: text?.0 ?? "\(x)", b: text?.1 ?? "\(y)")
    }

    static func cut(_ s: String) -> String { s.count <= 80 ? s : String(s.prefix(77)) + "..." }
}

/// Running maxima of the absolute and relative differences of element pairs.
struct ElementStatistics {
    var differing = 0
    var maxAbsolute = 0.0
    var maxRelative = 0.0

    mutating func add(_ a: Double, _ b: Double, same: Bool) {
        guard !same else { return }
        differing += 1
        guard a.isFinite && b.isFinite else { maxAbsolute = .infinity; maxRelative = .infinity; return }
        let d = abs(a - b)
        maxAbsolute = max(maxAbsolute, d)
        maxRelative = max(maxRelative, d / max(abs(a), abs(b), StateComparison.tiny))
    }
}
