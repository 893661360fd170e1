// How the read-only report commands (`replay`, `diff`, `inspect`, `list`) print: text for people, or one
// JSON document (sorted keys, non-finite numbers as "inf"/"-inf"/"nan" strings) for scripts.

import ArgumentParser
import Foundation
import Training

enum ReportFormat: String, CaseIterable, ExpressibleByArgument { case text, json }

enum ReportOutput {
    /// Prints `value` as one line of JSON.
    static func printJSON<T: Encodable>(_ value: T) throws { StandardStreams.writeLine(try StateJSON.encode(value)) }

    /// "1 234 567 bytes (1.2 MB)".
    static func bytes(_ n: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var v = Double(n), u = 0
        while v >= 1000 && u < units.count - 1 { v /= 1000; u += 1 }
        return u == 0 ? "\(n) bytes" : "\(n) bytes (\(String(format: "%.1f", v)) \(units[u]))"
    }

    /// Ascending steps as "1 5 10", or "none".
    static func steps(_ s: [Int]) -> String { s.isEmpty ? "none" : s.map(String.init).joined(separator: " ") }

    /// A history's step range: "1…20 (20 rows)", or "none".
    static func range(first: Int?, last: Int?, count: Int) -> String {
        guard let first, let last else { return "none" }
        return "\(first)…\(last) (\(count) rows)"
    }
}
