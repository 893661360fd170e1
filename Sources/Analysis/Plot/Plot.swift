// `dartsprime plot RUN [RUN …]`: the figures of one run, or of several overlaid, as SVG (PNG
// beside each when rsvg-convert is installed) and the final cells as DOT (SVG/PNG when dot is).
// A figure that does not apply to a run (α of an evaluation, FIMT of a run not scheduled by
// FIMT) is left out with a note; only unreadable runs, an overlay mixing CNN and text runs, or
// an unusable directory are errors. CNN and Penn Treebank runs draw the same figures (α per node
// and edge, FIMT, regulariser, cells); their losses differ (accuracy vs perplexity).
// File names: docs/FORMAT.md "Plots".

import Foundation
import Architecture
import RunStore
import Search

public struct PlotTools: Sendable {
    public var dot: ExternalTool?
    public var rsvgConvert: ExternalTool?
    public init(dot: ExternalTool?, rsvgConvert: ExternalTool?) { self.dot = dot; self.rsvgConvert = rsvgConvert }
    public static var installed: PlotTools { PlotTools(dot: .find("dot"), rsvgConvert: .find("rsvg-convert")) }
}

public struct PlotResult {
    /// Every file written, in writing order.
    public var files: [URL]
    /// What was skipped and why, one line each.
    public var notes: [String]
}

public enum Plot {
    /// The figures of `runs` (opened read-only) into `directory`.
    public static func write(runs directories: [URL], to directory: URL, replace: Bool,
                             tools: PlotTools = .installed) throws -> PlotResult {
        let runs = try directories.map { try PlotRun(store: try RunStore.open(at: $0, readOnly: true)) }
        var out = try PlotDirectory(url: directory, replace: replace)
        var notes: [String] = []
        let (figures, figureNotes) = try self.figures(runs)
        notes += figureNotes
        let cells = try self.cells(runs)
        if tools.rsvgConvert == nil { notes.append("rsvg-convert is not installed: figures as SVG only (apt-get install librsvg2-bin)") }
        if tools.dot == nil && !cells.isEmpty { notes.append("dot is not installed: cells as DOT only (apt-get install graphviz)") }

        try out.create()
        for (name, figure) in figures {
            try out.write(name + ".svg", bytes: Array(SVGRenderer.render(figure).utf8))
            let svg = out.url.appendingPathComponent(name + ".svg").path
            if let rsvg = tools.rsvgConvert { try convert(rsvg, ["-f", "png", svg], into: name + ".png", &out, &notes) }
        }
        for (name, dot) in cells {
            try out.write(name + ".dot", bytes: Array(dot.utf8))
            guard let tool = tools.dot else { continue }
            let source = out.url.appendingPathComponent(name + ".dot").path
            try convert(tool, ["-Tsvg", source], into: name + ".svg", &out, &notes)
            try convert(tool, ["-Tpng", source], into: name + ".png", &out, &notes)
        }
        return PlotResult(files: out.written, notes: notes)
    }

    /// The charts that apply to `runs`, by file name (without extension), and notes on the rest.
    public static func figures(_ runs: [PlotRun]) throws -> ([(String, ChartFigure)], [String]) {
        var figures: [(String, ChartFigure)] = []
        var notes: [String] = []
        if let image = runs.first(where: { !$0.isText }), let text = runs.first(where: \.isText) {
            throw PlotError.mixedRunFamilies(image: image.store.url.path, imageKind: image.store.runKind,
                                             text: text.store.url.path, textKind: text.store.runKind)
        }
        let searches = runs.filter { $0.search != nil }
        for run in runs where run.search == nil {
            notes.append("\(run.store.url.path) is a \(run.store.runKind) run: no α, FIMT, regulariser or cells to plot")
        }
        var cellTypes: [String] = []
        for run in searches { for c in run.search!.space.cellTypes where !cellTypes.contains(c) { cellTypes.append(c) } }
        for cell in cellTypes {
            if let f = try AlphaFigure.figure(cell: cell, runs: searches) { figures.append(("alphas_" + cell, f)) }
        }
        let fimtRuns = searches.filter { $0.methodSpec?.schedule == .fimt && $0.hasFinite("F") }
        for run in searches where !fimtRuns.contains(where: { $0.store.url == run.store.url }) {
            notes.append("\(run.store.url.path): method \(run.method) does not schedule α steps by FIMT: not in fimt.svg")
        }
        if !fimtRuns.isEmpty { figures.append(("fimt", ScalarFigures.fimt(fimtRuns))) }
        figures.append(("loss", runs.first?.isText == true ? ScalarFigures.textLosses(runs) : ScalarFigures.losses(runs)))
        let withRegulariser = searches.filter { $0.methodSpec?.regularizer != RegularizerKind.none }
        let regularised = withRegulariser.filter { $0.hasFinite("regularizer") }
        for run in searches where !regularised.contains(where: { $0.store.url == run.store.url }) {
            let why = withRegulariser.contains { $0.store.url == run.store.url }
                ? "took no α step, so it has no regulariser value" : "has no regulariser"
            notes.append("\(run.store.url.path): method \(run.method) \(why): not in regularizer.svg")
        }
        if !regularised.isEmpty { figures.append(("regularizer", ScalarFigures.regularizer(regularised))) }
        return (figures, notes)
    }

    /// The newest step's cells of every search as DOT, by file name: `cell_<type>`, prefixed
    /// with `<method>-seed-<seed>_` when several runs are plotted.
    public static func cells(_ runs: [PlotRun]) throws -> [(String, String)] {
        var out: [(String, String)] = []
        var used: Set<String> = []
        for run in runs {
            guard let source = run.search else { continue }
            let newest = try source.replay.step()
            // Method and seed name a run's cells in an overlay (an experiment's runs are all
            // called `search`); the directory's name is added only where those repeat.
            let identity = safeName("\(run.method)-seed-\(run.seed)")
            var prefix = runs.count > 1 ? identity + "_" : ""
            if runs.count > 1 {
                if used.contains(prefix) { prefix = identity + "-" + safeName(run.name) + "_" }
                var n = 2
                while used.contains(prefix) { prefix = identity + "-" + safeName(run.name) + "-\(n)_"; n += 1 }
                used.insert(prefix)
            }
            for cell in newest.genotype.cells {
                let cellName = cell.type == "reduce" ? "reduction" : cell.type
                let title = "\(cellName) cell at step \(newest.step) — \(run.identity)"
                out.append((prefix + "cell_" + cell.type, CellGraph.dot(cell, space: source.space, title: title)))
            }
        }
        return out
    }

    /// Writes a converter's output as `name`, or notes why it could not.
    static func convert(_ tool: ExternalTool, _ arguments: [String], into name: String, _ out: inout PlotDirectory,
                        _ notes: inout [String]) throws {
        switch tool.run(arguments) {
        case .success(let bytes): try out.write(name, bytes: bytes)
        case .failure(let failure): notes.append("\(name) not written: \(failure.reason)")
        }
    }

    /// A run name usable in a file name (letters, digits, `-`, `_`, `.`).
    static func safeName(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
    }
}
