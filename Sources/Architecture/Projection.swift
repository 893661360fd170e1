// Projection of activated architecture weights onto a discrete architecture (SPEC §4).
//
// Used three ways: to derive the genotype, as the constant P(act(α)) of the proximity term,
// and as the Z update of ADMM. Works for softmax α (8 columns, `none` ignored) and CRB α
// (7 columns, no `none`).

/// Projects one activated α matrix (rows = edges, node by node) onto the discrete architecture.
///
/// For each node i its edges j = 0…i+1 are ranked by strength (largest weight over ops other
/// than `none`); the two strongest are kept, ties to the smaller j (a stable sort, as Python's
/// `sorted`). On each kept edge the op with the largest weight other than `none` wins, ties to
/// the smaller k. `choices` lists (op, j) per node, strongest edge first — the order DARTS's
/// `_parse` writes, so genotypes match the PyTorch code's text exactly.
///
/// - Returns: `mask`, a 0/1 matrix shaped like `activated`, and the chosen (op, input) pairs.
public func project(activated: [[Double]], opNames: [String])
    -> (mask: [[Double]], choices: [(op: String, input: Int)]) {
    let candidates = opNames.indices.filter { opNames[$0] != CNNOperation.none.rawValue }
    precondition(!candidates.isEmpty, "project: no operation other than `none` in \(opNames)")
    var mask = activated.map { [Double](repeating: 0, count: $0.count) }
    var choices: [(op: String, input: Int)] = []
    var node = 0
    while CellTopology.firstEdge(node: node + 1) <= activated.count {
        let first = CellTopology.firstEdge(node: node)
        let inputs = node + 2
        func strength(_ j: Int) -> Double {
            let row = activated[first + j]
            precondition(row.count == opNames.count,
                         "project: α row \(first + j) has \(row.count) columns for \(opNames.count) ops")
            return candidates.map { row[$0] }.max() ?? -.infinity
        }
        let strengths = (0..<inputs).map(strength)
        // Stable ranking: larger strength first, then smaller j.
        let ranked = (0..<inputs).sorted { a, b in
            strengths[a] != strengths[b] ? strengths[a] > strengths[b] : a < b
        }
        for j in ranked.prefix(2) {
            let row = activated[first + j]
            var best = candidates[0]
            for k in candidates where row[k] > row[best] { best = k }
            mask[first + j][best] = 1
            choices.append((opNames[best], j))
        }
        node += 1
    }
    precondition(CellTopology.firstEdge(node: node) == activated.count,
                 "project: \(activated.count) α rows is not a whole number of nodes")
    return (mask, choices)
}
