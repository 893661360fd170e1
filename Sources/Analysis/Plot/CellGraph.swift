// One cell of a genotype as a Graphviz DOT graph, as DARTS's visualize.py draws it: the cell's
// inputs, one box per intermediate node, an edge per chosen (op, input) labelled and coloured by
// op, and the output joining the concat states. Generic over the search space (CellNotation):
// the CNN cell (inputs c_{k-2}, c_{k-1}; nodes 0–3 × 2 inputs; output c_{k}) and the recurrent
// one (x_{t}, h_{t-1} → state 0; nodes 1–8 × 1 input; output h_{t}, their mean).

import Foundation
import Architecture

public enum CellGraph {
    /// The DOT text of `cell` (its `edges` node by node, `space.keptInputs` per node).
    public static func dot(_ cell: GenotypeCell, space: SearchSpace, title: String) -> String {
        precondition(cell.edges.count == space.pairsPerCell,
                     "cell \(cell.type) has \(cell.edges.count) edges, the space needs \(space.pairsPerCell)")
        let notation = CellNotation(space)
        func state(_ s: Int) -> String { s < space.cellInputs ? "in\(s)" : "n\(s - space.cellInputs)" }
        var out = "digraph \"\(escape(cell.type))\" {\n"
        out += "  graph [rankdir=LR, label=\"\(escape(title))\", labelloc=t, fontname=\"Helvetica\", fontsize=14];\n"
        out += "  node [fontname=\"Helvetica\", fontsize=12, style=\"filled,rounded\", shape=box];\n"
        out += "  edge [fontname=\"Helvetica\", fontsize=10];\n"
        for (i, label) in notation.feeds.enumerated() {
            out += "  \"feed\(i)\" [label=\"\(escape(label))\", fillcolor=\"#a6dba0\"];\n"
        }
        let inputColour = notation.feeds.isEmpty ? "#a6dba0" : "#add8e6"
        for (i, label) in notation.inputLabels.enumerated() {
            out += "  \"in\(i)\" [label=\"\(escape(label))\", fillcolor=\"\(inputColour)\"];\n"
        }
        for n in 0..<space.nodes { out += "  \"n\(n)\" [label=\"\(notation.nodeName(n))\", fillcolor=\"#ffffb3\"];\n" }
        out += "  \"out\" [label=\"\(escape(notation.output))\", fillcolor=\"#8dd3c7\"];\n"
        // The recurrent cell's state 0 is computed from x_{t} and h_{t-1} (unlabelled: no op is chosen there).
        for i in notation.feeds.indices { out += "  \"feed\(i)\" -> \"in0\" [color=\"#999999\"];\n" }
        for n in 0..<space.nodes {
            for e in cell.edges[(n * space.keptInputs)..<((n + 1) * space.keptInputs)] {
                let colour = PlotPalette.colour(op: e.op)
                out += "  \"\(state(e.input))\" -> \"n\(n)\" [label=\"\(escape(e.op))\", color=\"\(colour)\", fontcolor=\"\(colour)\", penwidth=2];\n"
            }
        }
        for s in cell.concat { out += "  \"\(state(s))\" -> \"out\" [color=\"#999999\", style=dashed];\n" }
        out += "}\n"
        return out
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
