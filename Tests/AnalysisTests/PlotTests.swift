// The plot writers: nice ticks, the SVG renderer (well-formed XML, one `series` path per line,
// axis labels and legend, same bytes for the same figure), the α figure of a tiny search (one
// panel per node with edges × ops lines, 2× the lines for two runs, a legend naming both seeds),
// FIMT and regulariser figures only for the methods that have them, the DOT cell graphs (CNN: 4
// nodes × 2 inputs; recurrent: 8 nodes × 1) and the plot directory that never replaces files
// it was not told to. Tiny Penn Treebank searches draw the same figures: 8 panels of (i+1 inputs ×
// 5 ops) lines (CRB: 4 ops), the text losses and perplexities, the recurrent cell with x_{t},
// h_{t-1} → 0 and 8 nodes of one input, overlays doubling the lines; a CNN and a text run do not
// overlay. Negative controls show the checks catch a broken SVG or cell.

import Testing
import Foundation
import Analysis
import Architecture
import Search
import Training
import RunStore
import TestSupport
import PlotInspection

@Suite("Plot", .serialized)
struct PlotTests {
    static func search(_ method: String, seed: UInt64, _ dir: URL) throws -> PlotRun {
        var c = TinySearch.configuration(method)
        c.seed = seed
        _ = try RunLauncher(kinds: [CNNSearch.self]).start(try CNNSearch(configuration: c, dataset: TinySearch.dataset),
                                                           directory: dir, maxSteps: nil)
        return try PlotRun(store: try RunStore.open(at: dir, readOnly: true))
    }

    @Test func ticksAreRoundAndCoverTheData() {
        let unit = NiceTicks(lower: 0, upper: 1)
        #expect(unit.values.map(unit.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let steps = NiceTicks(lower: 0, upper: 87)
        #expect(steps.step == 20 && steps.lower == 0 && steps.upper == 100 && steps.values.count == 6)
        #expect(steps.label(40) == "40")
        let tight = NiceTicks(lower: 0, upper: 252, tight: true)
        #expect(tight.lower == 0 && tight.upper == 252 && tight.values == [0, 50, 100, 150, 200, 250], "the step axis ends at the last step")
        let flat = NiceTicks(lower: 3, upper: 3)
        #expect(flat.lower < 3 && flat.upper > 3, "a constant series still gets a range")
        let huge = NiceTicks(lower: 0, upper: 3e6)
        #expect(huge.label(1e6) == "1.0e+06")
    }

    static let figure = ChartFigure(
        title: "t <&> \"q\"", subtitle: "run x · method prime · seed 101",
        panels: [
            ChartPanel(title: "a", xLabel: "step (iterations)", yLabel: "loss (nats)",
                       series: [ChartSeries(label: "one", colour: "#000000", points: [(0, 1), (1, .nan), (2, 3)]),
                                ChartSeries(label: "two", colour: "#ff0000", dash: .dashed, points: [(0, 2), (2, 2)])],
                       markers: [ChartMarkers(label: "m", colour: "#000000", xs: [1, 2])]),
            ChartPanel(title: "b", xLabel: "step (iterations)", yLabel: "accuracy (%)",
                       series: [ChartSeries(label: "three", colour: "#00ff00", points: [(0, 50), (2, 60)])]),
        ],
        columns: 2, legend: [LegendEntry(label: "seed 101", colour: "#000000"), LegendEntry(label: "α step", colour: "#000", isMarker: true)])

    @Test func svgIsWellFormedWithItsSeriesLabelsAndLegend() throws {
        let svg = SVGRenderer.render(Self.figure)
        #expect(SVGRenderer.render(Self.figure) == svg, "same figure, same bytes")
        let parsed = try SVGInspection(data: Data(svg.utf8))
        #expect(parsed.rootName == "svg")
        #expect(parsed.seriesPerPanel == [2, 1])
        #expect(parsed.markerTicks == [2])
        #expect(parsed.axisLabels.sorted() == ["accuracy (%)", "loss (nats)", "step (iterations)", "step (iterations)"])
        #expect(parsed.legend == ["seed 101", "α step"])
        #expect(parsed.texts["title"] == ["t <&> \"q\""], "escaped text reads back as written")
        #expect(!svg.contains("nan"), "non-finite points are left out, not printed")
        // Negative controls: the same text cut short, or with a title left unescaped, is not accepted.
        #expect(throws: SVGParseError.self) { try SVGInspection(data: Data(svg.dropLast(12).utf8)) }
        #expect(throws: SVGParseError.self) { try SVGInspection(data: Data(svg.replacingOccurrences(of: "&lt;&amp;&gt;", with: "<&>").utf8)) }
    }

    @Test func aLonePointIsDrawnAsADot() throws {
        let lone = ChartFigure(title: "t", panels: [ChartPanel(title: "p", xLabel: "x", yLabel: "y", series: [
            ChartSeries(label: "once", colour: "#000000", points: [(3, .nan), (5, 2)])])], columns: 1, legend: [])
        let svg = SVGRenderer.render(lone)
        #expect(try SVGInspection(data: Data(svg.utf8)).seriesCount == 1)
        #expect(svg.contains(" h0.01\"") && svg.contains("stroke-linecap=\"round\""), "a zero-length segment with a round cap")
    }

    @Test func alphaFiguresHaveEdgesTimesOpsLinesPerNodeAndOverlaysDoubleThem() throws {
        let base = TinySearch.temporaryDirectory("plot-alpha")
        defer { try? FileManager.default.removeItem(at: base) }
        let a = try Self.search("prime", seed: 101, base.appendingPathComponent("a"))
        let b = try Self.search("prime", seed: 102, base.appendingPathComponent("b"))
        let single = try #require(try AlphaFigure.figure(cell: "normal", runs: [a]))
        #expect(single.panels.count == 4)
        #expect(single.panels.map(\.series.count) == [2, 3, 4, 5].map { $0 * 8 }, "edges × ops per node")
        #expect(single.panels.allSatisfy { $0.series.allSatisfy { $0.points.count == a.rows.count } })
        #expect(single.subtitle.contains("seed 101") && single.subtitle.contains("method prime") && single.subtitle.contains(a.name))
        let svg = try SVGInspection(data: Data(SVGRenderer.render(single).utf8))
        #expect(svg.seriesPerPanel == [16, 24, 32, 40])
        #expect(svg.axisLabels.contains("step (iterations)") && svg.axisLabels.contains("act(α), softmax weight"))
        #expect(Set(SearchSpace.cnn.ops).isSubset(of: Set(svg.legend)))
        // An op has one colour whatever edge, panel or run draws it.
        let colours = Dictionary(grouping: single.panels.flatMap(\.series), by: { $0.label.split(separator: " ")[0] }).mapValues { Set($0.map(\.colour)) }
        #expect(colours.values.allSatisfy { $0.count == 1 } && Set(colours.values.map { $0.first! }).count == 8)

        let overlay = try #require(try AlphaFigure.figure(cell: "reduce", runs: [a, b]))
        #expect(overlay.seriesCount == 2 * single.seriesCount)
        let titles = overlay.panels.map(\.title)
        #expect(titles.filter { $0.contains("seed 101") }.count == 4 && titles.filter { $0.contains("seed 102") }.count == 4)
        #expect(overlay.subtitle.contains("seed 101") && overlay.subtitle.contains("seed 102"))

        let fimt = ScalarFigures.fimt([a, b])
        let fimtSVG = try SVGInspection(data: Data(SVGRenderer.render(fimt).utf8))
        #expect(fimtSVG.seriesCount == 2 * 3, "F, F̄, τ per run")
        #expect(fimtSVG.legend.contains("prime seed 101") && fimtSVG.legend.contains("prime seed 102"))
        let alphaSteps = a.rows.filter { $0.values["alpha_step"] == 1 }.count
        #expect(alphaSteps > 0 && fimtSVG.markerTicks.first == alphaSteps)
        let loss = try SVGInspection(data: Data(SVGRenderer.render(ScalarFigures.losses([a])).utf8))
        #expect(loss.seriesPerPanel == [2, 2], "training and α split, loss and accuracy")
        #expect(loss.axisLabels.contains("accuracy (%)") && loss.axisLabels.contains("cross-entropy loss (nats)"))
    }

    @Test func figuresThatDoNotApplyAreLeftOutWithANote() throws {
        let base = TinySearch.temporaryDirectory("plot-darts")
        defer { try? FileManager.default.removeItem(at: base) }
        let darts = try Self.search("darts", seed: 101, base.appendingPathComponent("d"))
        let (figures, notes) = try Plot.figures([darts])
        #expect(figures.map(\.0) == ["alphas_normal", "alphas_reduce", "loss"])
        #expect(notes.count == 2 && notes[0].contains("FIMT") && notes[1].contains("regulariser"), "\(notes)")

        // Without the converters: SVG and DOT only, and a note naming each missing package.
        let out = base.appendingPathComponent("plots")
        let result = try Plot.write(runs: [darts.store.url], to: out, replace: false, tools: PlotTools(dot: nil, rsvgConvert: nil))
        #expect(result.files.map(\.lastPathComponent) == ["alphas_normal.svg", "alphas_reduce.svg", "loss.svg", "cell_normal.dot", "cell_reduce.dot"])
        #expect(result.notes.contains { $0.contains("librsvg2-bin") } && result.notes.contains { $0.contains("graphviz") }, "\(result.notes)")
    }

    @Test func cnnCellsHaveFourNodesOfTwoInputsAndRecurrentEightOfOne() {
        let normal = CellGraph.dot(GenotypeCell(type: "normal", edges: Genotype.dartsV2.normal, concat: [2, 3, 4, 5]),
                                   space: .cnn, title: "normal")
        #expect(DOTInspection.inputsPerNode(normal) == ["n0": 2, "n1": 2, "n2": 2, "n3": 2])
        #expect(DOTInspection.edges(normal).filter { $0.to == "out" }.map(\.from) == ["n0", "n1", "n2", "n3"])
        let labels = DOTInspection.edges(normal).compactMap(\.label)
        #expect(labels == Genotype.dartsV2.normal.map(\.op))
        #expect(normal.contains("\"in0\" -> \"n1\"") && normal.contains("\"n0\" -> \"n3\""), "DARTS_V2's inputs 0 (c_{k-2}) and 2 (node 0)")
        let recurrent = CellGraph.dot(Genotype.recurrentDartsV2.cells[0], space: .recurrent, title: "recurrent")
        #expect(DOTInspection.inputsPerNode(recurrent) == Dictionary(uniqueKeysWithValues: (0..<8).map { ("n\($0)", 1) }))
        // Negative control: a cell missing one edge is seen as such.
        let broken = normal.split(separator: "\n").filter { !$0.contains("\"in1\" -> \"n0\"") }.joined(separator: "\n")
        #expect(DOTInspection.inputsPerNode(broken)["n0"] == 1)
    }

    static func textSearch(_ method: String, seed: UInt64, _ dir: URL) throws -> PlotRun {
        try TinyTextSearch.run(method, seed: seed, dir)
        return try PlotRun(store: try RunStore.open(at: dir, readOnly: true))
    }

    @Test func textSearchAlphaFiguresHaveEightPanelsOfInputsTimesOpsAndOverlaysDoubleThem() throws {
        let base = TinySearch.temporaryDirectory("plot-text-alpha")
        defer { try? FileManager.default.removeItem(at: base) }
        let a = try Self.textSearch("prime", seed: 101, base.appendingPathComponent("a"))
        let b = try Self.textSearch("prime", seed: 102, base.appendingPathComponent("b"))
        #expect(a.isText && a.dataset == "ptb" && a.search?.space == .recurrent)
        let single = try #require(try AlphaFigure.figure(cell: "recurrent", runs: [a]))
        #expect(single.panels.count == 8 && single.columns == 4, "8 nodes in two rows of four")
        #expect(single.panels.map(\.series.count) == (1...8).map { $0 * 5 }, "node i: i+1 inputs × 5 ops")
        #expect(single.panels.map(\.title) == (1...8).map { "node \($0)" }, "DARTS numbers the recurrent nodes 1…8")
        #expect(single.panels.allSatisfy { $0.series.allSatisfy { $0.points.count == a.rows.count } })
        #expect(single.panels[0].series.allSatisfy { $0.label.contains("from node 0 (x_{t}, h_{t-1})") })
        #expect(single.panels[7].series.filter { $0.label.contains("from node 7 ") }.count == 5)
        let svg = try SVGInspection(data: Data(SVGRenderer.render(single).utf8))
        #expect(svg.seriesPerPanel == (1...8).map { $0 * 5 })
        #expect(svg.axisLabels.filter { $0 == "step (iterations)" }.count == 8 && svg.axisLabels.contains("act(α), softmax weight"))
        #expect(svg.legend == SearchSpace.recurrent.ops + ["edge from node 0 (x_{t}, h_{t-1})"] + (1...7).map { "edge from node \($0)" })
        // An op has one colour on every edge and panel, the same as in the cell graph.
        let colours = Dictionary(grouping: single.panels.flatMap(\.series), by: { String($0.label.split(separator: " ")[0]) }).mapValues { Set($0.map(\.colour)) }
        #expect(Set(colours.keys) == Set(SearchSpace.recurrent.ops))
        #expect(colours.allSatisfy { $0.value == [PlotPalette.colour(op: $0.key)] } && Set(colours.values.map { $0.first! }).count == 5)
        // The lines are the history's activated α, edge by edge.
        let row = try #require(a.rows.last)
        let stored = try a.search!.weights("recurrent", in: row)
        let edge = SearchSpace.recurrent.edgeIndex(node: 5, input: 3)
        #expect(single.panels[5].series[3 * 5 + 2].points.last?.y == Double(stored[edge * 5 + 2]))

        let overlay = try #require(try AlphaFigure.figure(cell: "recurrent", runs: [a, b]))
        #expect(overlay.seriesCount == 2 * single.seriesCount && overlay.panels.count == 16)
        let titles = overlay.panels.map(\.title)
        #expect(titles.filter { $0.contains("seed 101") }.count == 8 && titles.filter { $0.contains("seed 102") }.count == 8)

        // CRB's α has no `none` column: 4 ops per edge.
        let crb = try Self.textSearch("crb", seed: 101, base.appendingPathComponent("crb"))
        let pruned = try #require(try AlphaFigure.figure(cell: "recurrent", runs: [crb]))
        #expect(pruned.panels.map(\.series.count) == (1...8).map { $0 * 4 })
        #expect(!pruned.panels.flatMap(\.series).contains { $0.label.hasPrefix("none ") })
        #expect(pruned.panels[0].yLabel == "act(α), clamp to [0, 1]")

        // The figures `plot` writes: α, FIMT (prime schedules by FIMT), the text losses; the regulariser where α steps were taken.
        let (figures, _) = try Plot.figures([a])
        let alphaSteps = a.rows.filter { $0.values["alpha_step"] == 1 }.count
        #expect(figures.map(\.0) == ["alphas_recurrent", "fimt", "loss"] + (alphaSteps > 0 ? ["regularizer"] : []))
        let fimt = try SVGInspection(data: Data(SVGRenderer.render(ScalarFigures.fimt([a, b])).utf8))
        #expect(fimt.seriesCount == 2 * 3 && fimt.legend.contains("prime seed 101") && fimt.legend.contains("prime seed 102"))
        let loss = try #require(figures.first { $0.0 == "loss" }?.1)
        let lossSVG = try SVGInspection(data: Data(SVGRenderer.render(loss).utf8))
        #expect(lossSVG.seriesPerPanel == [alphaSteps > 0 ? 3 : 2, 1], "training (α split) and validation loss; validation perplexity")
        #expect(lossSVG.axisLabels.contains("perplexity (exp of the NLL per token)") && !lossSVG.axisLabels.contains("accuracy (%)"))
        #expect(lossSVG.legend.contains("validation perplexity") && lossSVG.legend.contains("training loss"))
        let epochEnds = a.rows.filter(\.epochEnd).count
        #expect(epochEnds == 2 && loss.panels[1].series[0].points.count == epochEnds, "valid_ppl at each epoch end")
    }

    @Test func theRecurrentCellHasEightNodesOfOneInputFedByXAndH() throws {
        let base = TinySearch.temporaryDirectory("plot-text-cell")
        defer { try? FileManager.default.removeItem(at: base) }
        let a = try Self.textSearch("darts", seed: 101, base.appendingPathComponent("a"))
        let cells = try Plot.cells([a])
        #expect(cells.map(\.0) == ["cell_recurrent"])
        let dot = try #require(cells.first?.1)
        #expect(DOTInspection.inputsPerNode(dot) == Dictionary(uniqueKeysWithValues: (0..<8).map { ("n\($0)", 1) }))
        let edges = DOTInspection.edges(dot)
        #expect(edges.filter { $0.to == "in0" }.map(\.from) == ["feed0", "feed1"] && edges.filter { $0.to == "in0" }.allSatisfy { $0.label == nil })
        #expect(dot.contains("\"feed0\" [label=\"x_{t}\"") && dot.contains("\"feed1\" [label=\"h_{t-1}\""))
        #expect(edges.filter { $0.to == "out" }.map(\.from) == (0..<8).map { "n\($0)" } && dot.contains("h_{t} = mean(1…8)"))
        #expect((0..<8).allSatisfy { dot.contains("\"n\($0)\" [label=\"\($0 + 1)\"") }, "nodes labelled 1…8")
        // The edges are the newest step's genotype: (activation, predecessor) per node.
        let genotype = try Replay(store: a.store).step().genotype.recurrent
        let chosen = edges.filter { $0.label != nil }
        #expect(chosen.map(\.label!) == genotype.map(\.op))
        #expect(chosen.map(\.from) == genotype.map { $0.input == 0 ? "in0" : "n\($0.input - 1)" })
        #expect(try String(contentsOf: a.store.url.appendingPathComponent("genotype.txt"), encoding: .utf8)
                    == Genotype(recurrent: genotype).description + "\n")
    }

    @Test func cnnAndTextRunsDoNotOverlay() throws {
        let base = TinySearch.temporaryDirectory("plot-mixed")
        defer { try? FileManager.default.removeItem(at: base) }
        let text = try Self.textSearch("darts", seed: 101, base.appendingPathComponent("text"))
        let image = try Self.search("darts", seed: 101, base.appendingPathComponent("image"))
        #expect(!image.isText)
        #expect(throws: PlotError.mixedRunFamilies(image: image.store.url.path, imageKind: "cnn-search",
                                                   text: text.store.url.path, textKind: "rnn-search")) {
            try Plot.figures([text, image])
        }
        let out = base.appendingPathComponent("overlay")
        #expect(throws: PlotError.self) {
            try Plot.write(runs: [image.store.url, text.store.url], to: out, replace: false, tools: PlotTools(dot: nil, rsvgConvert: nil))
        }
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing written")
        // Negative control: each alone plots.
        #expect(try Plot.figures([text]).0.map(\.0).contains("alphas_recurrent"))
        #expect(try Plot.figures([image]).0.map(\.0).contains("alphas_normal"))
    }

    @Test func thePlotDirectoryRefusesFilesUnlessReplacingAndKeepsOthers() throws {
        let dir = TinySearch.temporaryDirectory("plot-dir")
        defer { try? FileManager.default.removeItem(at: dir) }
        var fresh = try PlotDirectory(url: dir, replace: false)
        try fresh.create()
        try fresh.write("loss.svg", bytes: Array("first".utf8))
        #expect(throws: PlotError.outputHoldsFiles(path: dir.path, count: 1)) { try PlotDirectory(url: dir, replace: false) }
        try "mine".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        var again = try PlotDirectory(url: dir, replace: true)
        try again.write("loss.svg", bytes: Array("second".utf8))
        #expect(try String(contentsOf: dir.appendingPathComponent("loss.svg"), encoding: .utf8) == "second")
        #expect(try String(contentsOf: dir.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["loss.svg", "notes.txt"], "no temporaries left")
        let file = dir.appendingPathComponent("notes.txt")
        #expect(throws: PlotError.outputNotDirectory(path: file.path)) { try PlotDirectory(url: file, replace: true) }
        let orphan = try PlotDirectory(url: dir.appendingPathComponent("no/such"), replace: false)
        #expect(throws: PlotError.self) { try orphan.create() }
    }
}
