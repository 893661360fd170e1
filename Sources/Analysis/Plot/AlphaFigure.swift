// The paper's Figures 1 and 4: act(α) of one cell type over the steps, one panel per
// intermediate node, one line per op per incoming edge (colour = op, dash = the edge's input
// state; the y axis fits the weights, which move little from 1/ops early on). The same code draws
// the CNN cells (4 nodes, 8 ops) and the recurrent one (8 nodes with 1…8 inputs, 5 ops; CRB 4).
// Several runs give one row of panels each (the recurrent cell: two rows of four), titled with
// the run's method and seed.

import Architecture

public enum AlphaFigure {
    public static func figure(cell: String, runs: [PlotRun]) throws -> ChartFigure? {
        let searches = runs.filter { $0.search?.space.cellTypes.contains(cell) == true }
        guard let first = searches.first?.search else { return nil }
        var panels: [ChartPanel] = []
        var ops: [String] = []
        var inputs = 0
        for run in searches {
            let source = run.search!
            let space = source.space
            let weights = try source.rows.map { try source.weights(cell, in: $0) }
            let steps = source.rows.map { Double($0.step) }
            for op in space.ops where !ops.contains(op) { ops.append(op) }
            inputs = max(inputs, space.cellInputs + space.nodes - 1)
            for node in 0..<space.nodes {
                var series: [ChartSeries] = []
                for input in 0..<space.inputs(node: node) {
                    let e = space.edgeIndex(node: node, input: input)
                    for (o, op) in space.ops.enumerated() {
                        let i = e * space.ops.count + o
                        series.append(ChartSeries(label: "\(op) from \(stateName(input, space)) (edge \(e))",
                                                  colour: PlotPalette.colour(op: op), dash: .cycling(input),
                                                  points: zip(steps, weights).map { ($0, Double($1[i])) }))
                    }
                }
                let title = "node \(CellNotation(space).nodeName(node))" + (searches.count > 1 ? " · \(run.label(among: searches))" : "")
                panels.append(ChartPanel(title: title, xLabel: "step (iterations)", yLabel: weightLabel(run),
                                         series: series))
            }
        }
        let legend = ops.map { LegendEntry(label: $0, colour: PlotPalette.colour(op: $0)) }
            + (0..<inputs).map { LegendEntry(label: "edge from \(stateName($0, first.space))", colour: "#333333", dash: .cycling($0)) }
        let cellName = cell == "reduce" ? "reduction" : cell
        let subtitle = searches.count == 1 ? searches[0].identity
            : "\(searches.count) runs: " + searches.map { $0.label(among: searches) }.joined(separator: ", ")
        return ChartFigure(title: "α of the \(cellName) cell per edge", subtitle: subtitle, panels: panels,
                           columns: min(first.space.nodes, maxColumns), legend: legend)
    }

    /// Panels per row: the CNN cell's 4 nodes in one row, the recurrent cell's 8 in two.
    static let maxColumns = 4

    /// The state a genotype input names (CNN: c_{k-2}, c_{k-1}, node 0…; RNN: node 0 (x_{t}, h_{t-1}), node 1…).
    static func stateName(_ input: Int, _ space: SearchSpace) -> String { CellNotation(space).stateName(input) }

    static func weightLabel(_ run: PlotRun) -> String {
        run.methodSpec?.activation == .crb ? "act(α), clamp to [0, 1]" : "act(α), softmax weight"
    }
}
