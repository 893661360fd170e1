// The plot writers: nice ticks, the SVG renderer (well-formed XML, one `series` path per line,
// axis labels and legend, same bytes for the same figure), the α figure of a tiny search (one
// panel per node with edges × ops lines, 2× the lines for two runs, a legend naming both seeds),
// FIMT and regulariser figures only for the methods that have them, the DOT cell graphs (CNN: 4
// nodes × 2 inputs; recurrent: 8 nodes × 1) and the plot directory that never replaces files
// it was not told to. Negative controls show the checks catch a broken SVG or cell.

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
