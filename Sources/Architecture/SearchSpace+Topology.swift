// Edge numbering of a search space's cell: node i reads states j = 0…cellInputs+i−1, and edges
// (α rows) are numbered node by node. CNN: node 0 edges 0–1, node 1 2–4, node 2 5–8, node 3
// 9–13 (14). RNN: node i has edges i(i+1)/2 … i(i+1)/2+i (36 over eight nodes).

extension SearchSpace {
    /// Incoming edges of `node`: one from every earlier state (CNN i+2, RNN i+1).
    public func inputs(node: Int) -> Int { cellInputs + node }

    /// First edge of `node`, the α row of its input j = 0: Σ_{n<node} (cellInputs + n).
    /// Also defined for `node == nodes`, where it is the edge count.
    public func firstEdge(node: Int) -> Int {
        precondition(node >= 0 && node <= nodes, "firstEdge: the space has no node \(node)")
        return node * cellInputs + node * (node - 1) / 2
    }

    /// Number of edges (α rows) of a cell.
    public var edgeCount: Int { firstEdge(node: nodes) }

    /// α row of the edge from state `input` (CNN 0 = s0, 1 = s1, 2+k = node k; RNN 0 = s0,
    /// 1+k = node k) into `node`.
    public func edgeIndex(node: Int, input: Int) -> Int {
        precondition(node >= 0 && node < nodes && input >= 0 && input < inputs(node: node),
                     "edgeIndex: node \(node) has no input \(input)")
        return firstEdge(node: node) + input
    }

    /// `(node, input)` of α row `edge`.
    public func endpoints(edge: Int) -> (node: Int, input: Int) {
        precondition(edge >= 0 && edge < edgeCount, "endpoints: the space has no edge \(edge)")
        var node = 0
        while firstEdge(node: node + 1) <= edge { node += 1 }
        return (node, edge - firstEdge(node: node))
    }
}
