// Edge numbering of a DARTS cell: intermediate node i reads states j = 0…i+1, edges numbered
// node by node (node 0: 0–1, node 1: 2–4, node 2: 5–8, node 3: 9–13).

/// Topology helpers for a cell with `nodes` intermediate nodes (4 in DARTS).
public enum CellTopology {
    /// Intermediate nodes per cell in the CNN search space.
    public static let nodes = 4

    /// Number of edges of a cell with `nodes` intermediate nodes: Σ (i+2) = nodes(nodes+3)/2.
    public static func edgeCount(nodes: Int = CellTopology.nodes) -> Int { nodes * (nodes + 3) / 2 }

    /// First edge of `node`: the α row that holds its input j = 0.
    public static func firstEdge(node: Int) -> Int { node * (node + 3) / 2 }

    /// α row of the edge from state `input` (0 = s0, 1 = s1, 2+k = node k) into `node`.
    public static func edgeIndex(node: Int, input: Int) -> Int {
        precondition(node >= 0 && input >= 0 && input <= node + 1,
                     "edgeIndex: node \(node) has no input \(input)")
        return firstEdge(node: node) + input
    }

    /// `(node, input)` for α row `edge`.
    public static func endpoints(edge: Int) -> (node: Int, input: Int) {
        precondition(edge >= 0, "endpoints: negative edge \(edge)")
        var node = 0
        while firstEdge(node: node + 1) <= edge { node += 1 }
        return (node, edge - firstEdge(node: node))
    }
}

/// Free-function form of `CellTopology.edgeIndex(node:input:)`.
public func edgeIndex(node: Int, input: Int) -> Int { CellTopology.edgeIndex(node: node, input: input) }
