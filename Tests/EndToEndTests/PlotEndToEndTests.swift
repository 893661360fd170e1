// `dartsprime plot` as a user runs it on tiny synthetic searches: RUN/plots holds every figure
// as well-formed SVG with its series and axis labels, a PNG (PNG signature) beside each (make
// test installs rsvg-convert and dot, so they are required here), the cells as DOT with 4 nodes
// of 2 inputs each, rendered; the run still verifies; a second plot is refused without --force
// (files untouched) and with it rewrites the same bytes; an overlay of two seeds doubles the
// series and names both seeds; a darts run and an evaluation skip what does not apply with notes;
// bad input is one line and writes nothing.

import Foundation
import Testing
import PlotInspection

@Suite(.serialized) struct PlotEndToEnd {
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A finished tiny search on synthetic CIFAR (written once into `dir`/cifar).
    static func search(_ exe: URL, in dir: URL, _ name: String, method: String, seed: Int) throws -> URL {
        let data = dir.appendingPathComponent("cifar")
        if !FileManager.default.fileExists(atPath: data.path) { try DigestFixture.writeSyntheticCIFAR(into: data) }
        let run = dir.appendingPathComponent(name)
        let r = try execute(exe, ["search", "--profile", "tiny", "--dataset", "cifar10", "--data", data.path,
                                  "--method", method, "--seed", String(seed), "--run", run.path])
        #expect(r.status == 0, "\(r.err)")
        return run
    }

    static func files(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            out[name] = try Data(contentsOf: dir.appendingPathComponent(name))
        }
        return out
    }

    static func oneLine(_ r: Outcome, status: Int32, _ needle: String) -> Bool {
        r.status == status && r.out.isEmpty && r.err.split(separator: "\n").count == 1 && r.err.hasPrefix("error: ")
            && r.err.contains(needle)
    }

    static let installed = ["dot", "rsvg-convert"].allSatisfy { tool in
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }

    @Test func oneRunsFiguresTheirPNGsAndCells() throws {
        #expect(Self.installed, "make test installs graphviz and librsvg2-bin: dot and rsvg-convert must be on PATH")
        let exe = try dartsprimeBinary()
        let dir = scratch("plot")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Self.search(exe, in: dir, "prime-101", method: "prime", seed: 101)
        let r = try execute(exe, ["plot", run.path])
        #expect(r.status == 0 && r.err.isEmpty, "\(r.err)")
        let plots = run.appendingPathComponent("plots")
        let listed = r.out.split(separator: "\n").map(String.init)
        let names = ["alphas_normal", "alphas_reduce", "fimt", "loss", "regularizer"]
        let figureFiles: [String] = names.flatMap { (n: String) -> [String] in [n + ".svg", n + ".png"] }
        let cellFiles: [String] = ["cell_normal", "cell_reduce"].flatMap { (n: String) -> [String] in [n + ".dot", n + ".svg", n + ".png"] }
        let expected = figureFiles + cellFiles
        #expect(listed == expected.map { plots.appendingPathComponent($0).path }, "stdout lists the files written")
        let written = try Self.files(plots)
        #expect(Set(written.keys) == Set(expected), "\(written.keys.sorted())")
        for (name, bytes) in written where name.hasSuffix(".png") {
            #expect(Array(bytes.prefix(8)) == Self.pngSignature, "\(name) is a PNG")
        }
        for name in written.keys where name.hasSuffix(".svg") {
            let svg = try SVGInspection(data: written[name]!)
            #expect(svg.rootName == "svg", "\(name)")
        }
        let normal = try SVGInspection(data: written["alphas_normal.svg"]!)
        #expect(normal.seriesPerPanel == [16, 24, 32, 40], "edges × 8 ops per node")
        #expect(normal.axisLabels.contains("step (iterations)") && normal.axisLabels.contains("act(α), softmax weight"))
        #expect(normal.texts["subtitle"]?.first?.contains("seed 101") == true && normal.texts["subtitle"]?.first?.contains("prime") == true)
        let fimt = try SVGInspection(data: written["fimt.svg"]!)
        #expect(fimt.seriesCount == 3 && fimt.legend.contains("τ (threshold)") && fimt.markerTicks.count == 1)
        #expect(try SVGInspection(data: written["loss.svg"]!).seriesPerPanel == [2, 2])
        let cell = String(decoding: written["cell_normal.dot"]!, as: UTF8.self)
        #expect(DOTInspection.inputsPerNode(cell) == ["n0": 2, "n1": 2, "n2": 2, "n3": 2])
        let genotype = try String(contentsOf: run.appendingPathComponent("genotype.txt"), encoding: .utf8)
        #expect(DOTInspection.edges(cell).compactMap(\.label).allSatisfy { genotype.contains("'\($0)'") })

        // Plots inside RUN leave the run intact.
        let verify = try execute(exe, ["verify", run.path])
        #expect(verify.status == 0, "\(verify.err)")
        // Again without --force: refused in one line, nothing changed; with it: the same bytes.
        let again = try execute(exe, ["plot", run.path])
        #expect(Self.oneLine(again, status: 1, "--force"), "\(again.err)")
        #expect(try Self.files(plots) == written)
        let forced = try execute(exe, ["plot", run.path, "--force"])
        #expect(forced.status == 0, "\(forced.err)")
        let rewritten = try Self.files(plots)
        for name in names { #expect(rewritten[name + ".svg"] == written[name + ".svg"], "\(name).svg is deterministic") }
        #expect(!rewritten.keys.contains { $0.hasPrefix(".tmp-") })
    }

    @Test func overlaysDarsRunsAndEvaluationsAndBadInput() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("plot-overlay")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Self.search(exe, in: dir, "prime-101", method: "prime", seed: 101)
        let b = try Self.search(exe, in: dir, "prime-102", method: "prime", seed: 102)
        let out = dir.appendingPathComponent("overlay")
        let r = try execute(exe, ["plot", a.path, b.path, "--out", out.path])
        // A tiny FIMT run may take no α step at all: then it only lacks a regulariser curve.
        #expect(r.status == 0 && r.err.split(separator: "\n").allSatisfy { $0.hasPrefix("note: ") && $0.contains("took no α step") }, "\(r.err)")
        let normal = try SVGInspection(file: out.appendingPathComponent("alphas_normal.svg"))
        #expect(normal.seriesCount == 2 * (16 + 24 + 32 + 40))
        for name in ["fimt", "loss"] {
            let svg = try SVGInspection(file: out.appendingPathComponent(name + ".svg"))
            #expect(svg.legend.contains("prime seed 101") && svg.legend.contains("prime seed 102"), "\(name): \(svg.legend)")
        }
        #expect(try SVGInspection(file: out.appendingPathComponent("fimt.svg")).seriesCount == 6)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("prime-seed-102_cell_reduce.png").path))

        // darts: no FIMT schedule, no regulariser — notes, not errors.
        let darts = try Self.search(exe, in: dir, "darts-101", method: "darts", seed: 101)
        let d = try execute(exe, ["plot", darts.path])
        #expect(d.status == 0, "\(d.err)")
        let notes = d.err.split(separator: "\n")
        #expect(notes.count == 2 && notes.allSatisfy { $0.hasPrefix("note: ") } && d.err.contains("FIMT") && d.err.contains("regulariser"), "\(d.err)")
        #expect(!d.out.contains("fimt.svg") && d.out.contains("alphas_reduce.svg"))

        // An evaluation: its losses only, with a note.
        let evaluation = dir.appendingPathComponent("eval")
        let e = try execute(exe, ["evaluate", a.path, "--profile", "tiny", "--epochs", "1", "--test-subset", "40", "--run", evaluation.path])
        #expect(e.status == 0, "\(e.err)")
        let p = try execute(exe, ["plot", evaluation.path])
        #expect(p.status == 0 && p.err.hasPrefix("note: ") && p.err.contains("evaluation"), "\(p.err)")
        #expect(p.out.split(separator: "\n").map { URL(fileURLWithPath: String($0)).lastPathComponent } == ["loss.svg", "loss.png"])
        let loss = try SVGInspection(file: evaluation.appendingPathComponent("plots/loss.svg"))
        #expect(loss.legend.contains("test split accuracy"))

        // Bad input: one line, nothing written.
        let before = try Self.files(out)
        let notRun = dir.appendingPathComponent("not-a-run")
        try FileManager.default.createDirectory(at: notRun, withIntermediateDirectories: true)
        try "x".write(to: notRun.appendingPathComponent("file.txt"), atomically: true, encoding: .utf8)
        let file = dir.appendingPathComponent("plain.txt")
        try "keep".write(to: file, atomically: true, encoding: .utf8)
        let cases: [([String], Int32, String)] = [
            (["plot", dir.appendingPathComponent("missing").path], 1, "missing"),
            (["plot", notRun.path], 1, "not-a-run"),
            (["plot", a.path, b.path], 64, "--out"),
            (["plot", a.path, "--out", out.path], 1, "--force"),
            (["plot", a.path, "--out", file.path], 1, "plain.txt"),
            (["plot", a.path, "--out", dir.appendingPathComponent("no/such").path], 1, "no/such"),
            (["plot", a.path, "--bogus"], 64, "--bogus"),
        ]
        for (args, status, needle) in cases {
            let bad = try execute(exe, args)
            #expect(Self.oneLine(bad, status: status, needle), "\(args): \(bad.status) \(bad.err)")
        }
        #expect(try Self.files(out) == before)
        #expect(try String(contentsOf: file, encoding: .utf8) == "keep")
        #expect(!FileManager.default.fileExists(atPath: notRun.appendingPathComponent("plots").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("no").path))
    }
}

/// `../shared/data/ptb` next to the repository (this file is three levels down).
private let ptbData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/ptb")

/// `dartsprime plot` on tiny Penn Treebank runs (valid-as-train): a search draws α in 8 panels of
/// (i+1 inputs × 5 ops) lines, FIMT, losses and perplexities and the recurrent cell (8 nodes of one
/// input each, fed by x_t and h_{t-1} through state 0) as DOT/SVG/PNG; two seeds overlay with
/// doubled lines; a CNN and a text run do not (one line, nothing written); an evaluation draws its
/// loss and perplexity only.
@Suite(.serialized, .enabled(if: FileManager.default.fileExists(atPath: ptbData.appendingPathComponent("ptb.test.txt").path)))
struct TextPlotEndToEnd {
    static func textSearch(_ exe: URL, _ run: URL, method: String = "prime", seed: Int) throws -> URL {
        let r = try execute(exe, ["search", "--dataset", "ptb", "--data", ptbData.path, "--ptb-layout", "valid-as-train",
                                  "--profile", "tiny", "--method", method, "--seed", String(seed), "--run", run.path])
        #expect(r.status == 0, "\(r.err)")
        return run
    }

    @Test func textSearchFiguresCellOverlaysAndEvaluations() throws {
        #expect(PlotEndToEnd.installed, "make test installs graphviz and librsvg2-bin: dot and rsvg-convert must be on PATH")
        let exe = try dartsprimeBinary()
        let dir = scratch("plot-text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Self.textSearch(exe, dir.appendingPathComponent("prime-101"), seed: 101)
        let r = try execute(exe, ["plot", run.path])
        #expect(r.status == 0, "\(r.err)")
        // A tiny FIMT run may take no α step: then its only note is the missing regulariser curve.
        let regularised = !r.err.contains("took no α step")
        #expect(r.err.split(separator: "\n").allSatisfy { $0.hasPrefix("note: ") && $0.contains("α step") }, "\(r.err)")
        let plots = run.appendingPathComponent("plots")
        let names = ["alphas_recurrent", "fimt", "loss"] + (regularised ? ["regularizer"] : [])
        let expected = names.flatMap { [$0 + ".svg", $0 + ".png"] } + ["cell_recurrent.dot", "cell_recurrent.svg", "cell_recurrent.png"]
        #expect(r.out.split(separator: "\n").map(String.init) == expected.map { plots.appendingPathComponent($0).path })
        let written = try PlotEndToEnd.files(plots)
        #expect(Set(written.keys) == Set(expected), "\(written.keys.sorted())")
        for (name, bytes) in written where name.hasSuffix(".png") {
            #expect(Array(bytes.prefix(8)) == PlotEndToEnd.pngSignature, "\(name) is a PNG")
        }
        for name in written.keys where name.hasSuffix(".svg") { #expect(try SVGInspection(data: written[name]!).rootName == "svg", "\(name)") }
        let alphas = try SVGInspection(data: written["alphas_recurrent.svg"]!)
        #expect(alphas.seriesPerPanel == (1...8).map { $0 * 5 }, "node i: i+1 inputs × 5 ops")
        #expect(alphas.texts["panel-title"] == (1...8).map { "node \($0)" })
        #expect(alphas.axisLabels.contains("step (iterations)") && alphas.axisLabels.contains("act(α), softmax weight"))
        #expect(["none", "tanh", "relu", "sigmoid", "identity", "edge from node 0 (x_{t}, h_{t-1})", "edge from node 7"].allSatisfy(alphas.legend.contains))
        #expect(alphas.texts["subtitle"]?.first?.contains("seed 101") == true && alphas.texts["subtitle"]?.first?.contains("ptb") == true)
        let fimt = try SVGInspection(data: written["fimt.svg"]!)
        #expect(fimt.seriesCount == 3 && fimt.legend.contains("τ (threshold)") && fimt.markerTicks.count == 1)
        let loss = try SVGInspection(data: written["loss.svg"]!)
        #expect(loss.seriesPerPanel == [regularised ? 3 : 2, 1], "training (α split) and validation loss; validation perplexity")
        #expect(loss.axisLabels.contains("perplexity (exp of the NLL per token)") && loss.legend.contains("validation perplexity"))
        let cell = String(decoding: written["cell_recurrent.dot"]!, as: UTF8.self)
        #expect(cell.split(separator: "\n").filter { $0.hasPrefix("  \"n") && $0.contains(" [label=") && !$0.contains("->") }.count == 8,
                "8 intermediate nodes")
        #expect(DOTInspection.inputsPerNode(cell) == Dictionary(uniqueKeysWithValues: (0..<8).map { ("n\($0)", 1) }), "one input edge each")
        #expect(DOTInspection.edges(cell).filter { $0.to == "in0" }.map(\.from) == ["feed0", "feed1"] && cell.contains("h_{t} = mean(1…8)"))
        let genotype = try String(contentsOf: run.appendingPathComponent("genotype.txt"), encoding: .utf8)
        let ops = DOTInspection.edges(cell).compactMap(\.label)
        #expect(ops.count == 8 && ops.allSatisfy { genotype.contains("('\($0)', ") })
        #expect(try execute(exe, ["verify", run.path]).status == 0)

        // Two seeds: every line twice, cells named by method and seed.
        let other = try Self.textSearch(exe, dir.appendingPathComponent("prime-102"), seed: 102)
        let out = dir.appendingPathComponent("overlay")
        let o = try execute(exe, ["plot", run.path, other.path, "--out", out.path])
        #expect(o.status == 0, "\(o.err)")
        #expect(try SVGInspection(file: out.appendingPathComponent("alphas_recurrent.svg")).seriesCount == 2 * (1...8).map { $0 * 5 }.reduce(0, +))
        let overlaidLoss = try SVGInspection(file: out.appendingPathComponent("loss.svg"))
        #expect(overlaidLoss.legend.contains("prime seed 101") && overlaidLoss.legend.contains("prime seed 102"))
        for seed in [101, 102] { #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("prime-seed-\(seed)_cell_recurrent.png").path)) }

        // A CNN run and a text run: one line naming both, nothing written.
        let image = try PlotEndToEnd.search(exe, in: dir, "cnn", method: "darts", seed: 101)
        let mixedOut = dir.appendingPathComponent("mixed")
        let m = try execute(exe, ["plot", image.path, run.path, "--out", mixedOut.path])
        #expect(PlotEndToEnd.oneLine(m, status: 1, "plot CNN and text runs separately") && m.err.contains(image.path) && m.err.contains(run.path), "\(m.err)")
        #expect(!FileManager.default.fileExists(atPath: mixedOut.path))

        // A text evaluation: its loss and perplexity figure, with a note.
        let evaluation = dir.appendingPathComponent("eval")
        let e = try execute(exe, ["evaluate", run.path, "--dataset", "ptb", "--data", ptbData.path, "--ptb-layout", "valid-as-train",
                                  "--profile", "tiny", "--epochs", "2", "--run", evaluation.path])
        #expect(e.status == 0, "\(e.err)")
        let p = try execute(exe, ["plot", evaluation.path])
        #expect(p.status == 0 && p.err.hasPrefix("note: ") && p.err.contains("rnn-evaluation"), "\(p.err)")
        #expect(p.out.split(separator: "\n").map { URL(fileURLWithPath: String($0)).lastPathComponent } == ["loss.svg", "loss.png"])
        let evaluationLoss = try SVGInspection(file: evaluation.appendingPathComponent("plots/loss.svg"))
        #expect(evaluationLoss.seriesPerPanel == [3, 3], "training, validation and test loss and perplexity")
        #expect(["training perplexity", "validation perplexity", "test perplexity"].allSatisfy(evaluationLoss.legend.contains))
        #expect(evaluationLoss.axisLabels.contains("cross-entropy loss (nats per token)") && !evaluationLoss.axisLabels.contains("accuracy (%)"))
    }
}
