// Projection of activated architecture weights onto a discrete architecture (SPEC §4, §7).
//
// Used three ways: to derive the genotype, as the constant P(act(α)) of the proximity term,
// and as the Z update of ADMM. The space says how many edges each node has and keeps, and
// which op never counts: softmax CNN α (14×8, `none` ignored), CRB α (14×7, no `none`) and
// recurrent α (36×5, one predecessor per node) all take the same path.

/// Projects one activated α matrix (rows = edges of `space`, node by node; columns = its ops)
/// onto the discrete architecture.
///
/// For each node its edges are ranked by strength (largest weight over ops other than the
/// excluded `none`); the `keptInputs` strongest are kept, ties to the smaller input j (a stable
/// sort, as Python's `sorted`). On each kept edge the op with the largest weight other than
/// `none` wins, ties to the smaller k. `choices` lists (op, j) per node, strongest edge first —
/// the order DARTS's `_parse` writes, so genotypes match the PyTorch code's text exactly.
///
/// - Returns: `mask`, a 0/1 matrix shaped like `activated`, and the chosen (op, input) pairs.
public func project(activated: [[Double]], space: SearchSpace)
    -> (mask: [[Double]], choices: [(op: String, input: Int)]) {
    let ops = space.ops
    let candidates = space.candidateColumns
    precondition(!candidates.isEmpty, "project: no operation other than `\(space.excludedOp)` in \(ops)")
    precondition(activated.count == space.edgeCount,
                 "project: \(activated.count) α rows for a space of \(space.edgeCount) edges")
    var mask = activated.map { [Double](repeating: 0, count: $0.count) }
    var choices: [(op: String, input: Int)] = []
    choices.reserveCapacity(space.pairsPerCell)
    for node in 0..<space.nodes {
        let first = space.firstEdge(node: node)
        let inputs = space.inputs(node: node)
        func strength(_ j: Int) -> Double {
            let row = activated[first + j]
            precondition(row.count == ops.count,
                         "project: α row \(first + j) has \(row.count) columns for \(ops.count) ops")
            return candidates.map { row[$0] }.max() ?? -.infinity
        }
        let strengths = (0..<inputs).map(strength)
        // Stable ranking: larger strength first, then smaller j.
        let ranked = (0..<inputs).sorted { a, b in
            strengths[a] != strengths[b] ? strengths[a] > strengths[b] : a < b
        }
        for j in ranked.prefix(space.keptInputs) {
            let row = activated[first + j]
            var best = candidates[0]
            for k in candidates where row[k] > row[best] { best = k }
            mask[first + j][best] = 1
            choices.append((ops[best], j))
        }
    }
    return (mask, choices)
}
