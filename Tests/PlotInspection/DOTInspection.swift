// The edges of a Graphviz DOT graph as the cell tests count them: every `"a" -> "b" [label="op"]`
// line, so a cell's intermediate nodes and their inputs can be checked.

import Foundation

public struct DOTEdge: Equatable, Sendable {
    public var from: String
    public var to: String
    public var label: String?
}

public enum DOTInspection {
    public static func edges(_ text: String) -> [DOTEdge] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.components(separatedBy: "\" -> \"")
            guard parts.count == 2, let fromStart = parts[0].firstIndex(of: "\"") else { return nil }
            let from = String(parts[0][parts[0].index(after: fromStart)...])
            guard let toEnd = parts[1].firstIndex(of: "\"") else { return nil }
            let to = String(parts[1][..<toEnd])
            var label: String?
            if let r = parts[1].range(of: "label=\"") {
                label = String(parts[1][r.upperBound...].prefix { $0 != "\"" })
            }
            return DOTEdge(from: from, to: to, label: label)
        }
    }

    /// Incoming labelled (op) edges per target node, excluding the output's.
    public static func inputsPerNode(_ text: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for e in edges(text) where e.to != "out" && e.label != nil { out[e.to, default: 0] += 1 }
        return out
    }
}
