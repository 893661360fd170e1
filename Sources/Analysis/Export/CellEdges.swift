// The rows of an α matrix as edges of the DARTS cell (SearchSpace+Topology.swift): edge e
// enters intermediate node k from state j, states numbered as in a genotype's inputs (CNN:
// 0 = c_{k-2}, 1 = c_{k-1}, 2 + k = node k), so `from` and `to` are state numbers and
// `to` = cellInputs + node (CNN 2…5).

import Architecture

public struct CellEdge: Equatable, Sendable {
    /// The α row.
    public var edge: Int
    /// The state the edge reads.
    public var from: Int
    /// The state (intermediate node) the edge feeds.
    public var to: Int

    public init(edge: Int, from: Int, to: Int) { self.edge = edge; self.from = from; self.to = to }
}

extension SearchSpace {
    /// Every edge of a cell, in α row order.
    public var cellEdges: [CellEdge] {
        (0..<edgeCount).map { e in
            let (node, input) = endpoints(edge: e)
            return CellEdge(edge: e, from: input, to: cellInputs + node)
        }
    }
}
