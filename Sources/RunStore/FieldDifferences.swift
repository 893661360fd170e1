// Field-by-field differences of two JSON configurations (nested objects flattened to dotted
// names) and of two string maps: for `diff` and `audit`, and for the store naming what an edited
// run.json changed (it lives here because the store needs it and Analysis sees the store).

import Foundation

/// One field that differs; a side is nil where the field is missing.
public struct FieldDifference: Sendable, Equatable, Codable, CustomStringConvertible {
    public var name: String
    public var a: String?
    public var b: String?

    public init(name: String, a: String?, b: String?) { self.name = name; self.a = a; self.b = b }

    public var description: String { "\(name): \(a ?? "(missing)") → \(b ?? "(missing)")" }
}

public enum FieldDifferences {
    /// The differing fields of two string maps, by name.
    public static func of(_ a: [String: String], _ b: [String: String]) -> [FieldDifference] {
        Set(a.keys).union(b.keys).sorted().compactMap { k in a[k] == b[k] ? nil : FieldDifference(name: k, a: a[k], b: b[k]) }
    }

    /// The differing fields of two JSON texts; each value is shown as compact JSON. A text that
    /// is not a JSON object counts as one field named `(whole)`.
    public static func ofJSON(_ a: String, _ b: String) -> [FieldDifference] {
        of(flattened(a), flattened(b))
    }

    static func flattened(_ text: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            return ["(whole)": text]
        }
        var out: [String: String] = [:]
        func walk(_ value: Any, _ name: String) {
            if let dict = value as? [String: Any], !dict.isEmpty {
                for (k, v) in dict { walk(v, name.isEmpty ? k : name + "." + k) }
            } else {
                out[name.isEmpty ? "(whole)" : name] = compact(value)
            }
        }
        walk(object, "")
        return out
    }

    static func compact(_ value: Any) -> String {
        if value is NSNull { return "null" }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) else {
            return "\(value)"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
