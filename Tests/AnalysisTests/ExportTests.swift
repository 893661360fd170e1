// The tidy export tables of a tiny search, checked against the store read directly: one α row
// per step × cell × edge × op with the DARTS cell's from/to states, weights equal to the
// history's activated α (summing to 1 per edge under softmax), raw α exactly where a checkpoint
// is kept, FIMT scalars and traces, genotypes as replay derives them, `--steps` slices, and the
// atomic file sink that never replaces a file it was not told to.

import Testing
import Foundation
import Analysis
import Architecture
import Search
import Training
import RunStore
import TestSupport

@Suite("Export", .serialized)
struct ExportTests {
    static func search(_ method: String, _ dir: URL) throws -> RunStore {
        var c = TinySearch.configuration(method)
        c.keepLast = 2
        c.keepEvery = 4
        _ = try RunLauncher(kinds: [CNNSearch.self]).start(try CNNSearch(configuration: c, dataset: TinySearch.dataset),
                                                           directory: dir, maxSteps: nil)
        return try RunStore.open(at: dir, readOnly: true)
    }

    static func integer(_ c: ExportCell) -> Int? { if case let .integer(v) = c { return v }; return nil }
    static func float(_ c: ExportCell) -> Float? { if case let .float(v) = c { return v }; return nil }
    static func text(_ c: ExportCell) -> String? { if case let .text(v) = c { return v }; return nil }

    @Test func edgesFollowTheDARTSCell() {
        let edges = SearchSpace.cnn.cellEdges
        #expect(edges.count == 14)
        // edge: (from, to), states 0 = c_{k-2}, 1 = c_{k-1}, 2 + k = node k.
        let known: [Int: (Int, Int)] = [0: (0, 2), 1: (1, 2), 2: (0, 3), 4: (2, 3), 5: (0, 4), 8: (3, 4), 9: (0, 5), 13: (4, 5)]
        for (e, (from, to)) in known {
            #expect(edges[e] == CellEdge(edge: e, from: from, to: to), "edge \(e)")
        }
    }

    @Test func alphaFIMTAndGenotypeTablesOfASoftmaxSearch() throws {
        let dir = TinySearch.temporaryDirectory("export-darts")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Self.search("darts", dir)
        let history = try store.history()
        let space = SearchSpace.cnn
        #expect(history.map(\.step) == Array(0..<history.count))
        let kept = Set(store.storedSteps)
        #expect(!kept.isEmpty && kept.count < history.count, "some checkpoints kept, some deleted: \(kept)")

        let alphas = try Export.table(.alphas, of: store)
        #expect(alphas.columns == ["step", "epoch", "cell", "edge", "from", "to", "op", "alpha", "weight"])
        let rows = try alphas.rows()
        #expect(rows.count == history.count * 2 * 14 * 8)
        var sums: [String: Double] = [:]
        var rawAlphas: [String: [Float]] = [:]
        for step in kept {
            for cell in space.cellTypes {
                guard case let .float32(raw) = try store.load(step: step).arrays["model/alphas_" + cell]!.data else { Issue.record("raw"); return }
                rawAlphas["\(step)/\(cell)"] = raw
            }
        }
        for r in rows {
            let step = try #require(Self.integer(r[0])), cell = try #require(Self.text(r[2]))
            let edge = try #require(Self.integer(r[3])), op = try #require(Self.text(r[6]))
            let o = try #require(space.ops.firstIndex(of: op))
            let i = edge * 8 + o
            // weight: the history's activated α, element for element.
            guard case let .float32(w) = history[step].arrays["alphas_" + cell]!.data else { Issue.record("not float32"); return }
            #expect(Self.float(r[8]) == w[i])
            sums["\(step)/\(cell)/\(edge)", default: 0] += Double(w[i])
            // alpha: raw α exactly where the checkpoint is kept, empty elsewhere.
            if let raw = rawAlphas["\(step)/\(cell)"] {
                #expect(Self.float(r[7]) == raw[i])
            } else {
                #expect(r[7] == .empty)
            }
            #expect(Self.integer(r[4]) == space.endpoints(edge: edge).input && Self.integer(r[5]) == 2 + space.endpoints(edge: edge).node)
            #expect(r[1] == ExportCell.wholeNumber(history[step].values["epoch"]))
        }
        #expect(sums.count == history.count * 2 * 14)
        for (key, s) in sums { #expect(abs(s - 1) < 1e-5, "softmax weights of \(key) sum to \(s)") }
        let edge13 = try #require(rows.first { Self.integer($0[3]) == 13 })
        #expect(Self.integer(edge13[4]) == 4 && Self.integer(edge13[5]) == 5)

        // FIMT scalars: one row per step, the history's numbers.
        let fimt = try Export.table(.fimt, of: store).rows()
        #expect(fimt.count == history.count)
        for (r, h) in zip(fimt, history) {
            #expect(Self.integer(r[0]) == h.step)
            if let f = h.values["F"], f.isFinite { #expect(r[3] == .double(f)) }
            #expect(r[6] == ExportCell.wholeNumber(h.values["alpha_step"]))
            #expect(r[7] == ExportCell.wholeNumber(h.values["alpha_steps_total"]))
        }
        #expect(fimt.last.map { Self.integer($0[7]) } == history.last.map { Int($0.values["alpha_steps_total"]!) })
        // Traces: kept checkpoints that hold them, 2 × 14 × 8 rows each, the stored numbers.
        let withTraces = try store.storedSteps.filter { try store.load(step: $0).arrays["fimt/edge_trace_normal"] != nil }
        #expect(!withTraces.isEmpty)
        let traces = try Export.table(.fimtTraces, of: store).rows()
        #expect(traces.count == withTraces.count * 2 * 14 * 8)
        if let t = traces.first(where: { Self.integer($0[0]) == withTraces.last! && Self.text($0[2]) == "reduce" && Self.integer($0[3]) == 9 }) {
            guard case let .float64(v) = try store.load(step: withTraces.last!).arrays["fimt/edge_trace_reduce"]!.data else { Issue.record("trace"); return }
            #expect(t[7] == .double(v[9 * 8]) && Self.text(t[6]) == space.ops[0])
        } else { Issue.record("no trace row of the newest kept step") }

        // Genotypes: replay's, at epoch ends, or every step.
        let replay = try Replay(store: store)
        let ends = try Export.table(.genotypes, of: store).rows()
        #expect(ends.map { Self.integer($0[0])! } == history.filter(\.epochEnd).map(\.step))
        #expect(ends.map { Self.text($0[4])! } == (try replay.epochEnds().map(\.genotype.description)))
        #expect(try Export.table(.genotypes, of: store, allSteps: true).rows().count == history.count)

        // --steps: inclusive, open ends, and a slice that selects nothing is an error.
        let sliced = try Export.table(.alphas, of: store, steps: StepRange(parsing: "3:5")!).rows()
        #expect(Set(sliced.map { Self.integer($0[0])! }) == [3, 4, 5] && sliced.count == 3 * 2 * 14 * 8)
        #expect(try Export.table(.fimt, of: store, steps: StepRange(parsing: "7:")!).rows().count == history.count - 7)
        #expect(try Export.table(.genotypes, of: store, steps: StepRange(parsing: ":\(history.last!.step - 1)")!).rows().count
                == history.filter(\.epochEnd).count - 1)
        #expect(throws: ExportError.noStepsInRange(run: store.url.path, range: "500:600", first: 0, last: history.last!.step)) {
            try Export.table(.alphas, of: store, steps: StepRange(parsing: "500:600")!)
        }
    }

    @Test func crbAlphasUseTheSpaceWithoutNone() throws {
        let dir = TinySearch.temporaryDirectory("export-crb")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try Self.search("darts+crb", dir)
        let rows = try Export.table(.alphas, of: store).rows()
        #expect(rows.count == (try store.history().count) * 2 * 14 * 7)
        let ops = Set(rows.compactMap { Self.text($0[6]) })
        #expect(ops.count == 7 && !ops.contains("none"))
        #expect(rows.allSatisfy { Self.float($0[8]).map { $0 >= 0 && $0 <= 1 } ?? false })
    }

    @Test func evaluationRunsExportHistoryOnly() throws {
        let dir = TinySearch.temporaryDirectory("export-eval")
        defer { try? FileManager.default.removeItem(at: dir) }
        let created = try RunStore.create(at: dir, configurationJSON: "{}", environment: [:], runKind: "cnn-evaluation")
        created.close()
        let store = try RunStore.open(at: dir, readOnly: true)
        for kind in [ExportKind.alphas, .fimt, .fimtTraces, .genotypes] {
            #expect(throws: ExportError.evaluationRun(run: store.url.path, what: kind.rawValue)) { try Export.table(kind, of: store) }
        }
        #expect("\(ExportError.evaluationRun(run: "R", what: "alphas"))".contains("is an evaluation run"))
        let sink = CollectingSink()
        try Export.write(.history, of: store, as: .csv, to: sink)
        #expect(sink.text.hasPrefix("step,epoch_end,state_digest\n"))
    }

    @Test func stepRangesParseOnlyWellFormedSlices() {
        #expect(StepRange(parsing: "3:5") == StepRange(lower: 3, upper: 5))
        #expect(StepRange(parsing: ":5") == StepRange(lower: nil, upper: 5))
        #expect(StepRange(parsing: "3:") == StepRange(lower: 3, upper: nil))
        #expect(StepRange(parsing: ":") == .all)
        #expect(StepRange(parsing: "7") == StepRange(lower: 7, upper: 7))
        for bad in ["", "5:3", "a:b", "-1:4", "1:2:3", "1.5:2", "+3:4"] { #expect(StepRange(parsing: bad) == nil, "\(bad)") }
        #expect(StepRange(parsing: "3:5")!.contains(5) && !StepRange(parsing: "3:5")!.contains(6) && !StepRange(parsing: "3:5")!.contains(2))
    }

    @Test func renderingQuotesCSVAndWritesJSONObjects() throws {
        let table = ExportTable(columns: ["step", "genotype", "x", "y"]) { emit in
            try emit([.integer(1), .text("G(a=[('x', 0), ('y', 1)], b=\"q\")"), .double(.nan), .empty])
            try emit([.integer(2), .text("plain"), .float(0.1), .double(-.infinity)])
        }
        let csv = CollectingSink()
        try ExportRendering.write(table, as: .csv, to: csv)
        #expect(csv.text == "step,genotype,x,y\n1,\"G(a=[('x', 0), ('y', 1)], b=\"\"q\"\")\",nan,\n2,plain,0.1,-inf\n")
        let json = CollectingSink()
        try ExportRendering.write(table, as: .json, to: json)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [[String: Any]])
        #expect(parsed.count == 2 && parsed[0]["y"] is NSNull && parsed[0]["x"] as? String == "nan")
        #expect(parsed[1]["x"] as? Double == 0.1 && parsed[0]["genotype"] as? String == "G(a=[('x', 0), ('y', 1)], b=\"q\")")
        let empty = CollectingSink()
        try ExportRendering.write(ExportTable(columns: ["a"]) { _ in }, as: .json, to: empty)
        #expect(empty.text == "[]\n")
    }

    @Test func theFileSinkNeverReplacesAFileUnasked() throws {
        let dir = TinySearch.temporaryDirectory("export-sink")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("alphas.csv")
        let sink = try AtomicFileSink(url: file, replace: false)
        try sink.write("a,b\n")
        #expect(!FileManager.default.fileExists(atPath: file.path), "nothing under the final name before commit")
        try sink.commit()
        #expect(try String(contentsOf: file, encoding: .utf8) == "a,b\n")

        #expect(throws: ExportError.outputExists(path: file.path)) { try AtomicFileSink(url: file, replace: false) }
        // A file that appears after the check is not overwritten either (link, not rename).
        let late = dir.appendingPathComponent("late.csv")
        let racing = try AtomicFileSink(url: late, replace: false)
        try racing.write("new\n")
        try "theirs\n".write(to: late, atomically: false, encoding: .utf8)
        #expect(throws: ExportError.outputExists(path: late.path)) { try racing.commit() }
        #expect(try String(contentsOf: late, encoding: .utf8) == "theirs\n")
        // Negative control: with replace the file is replaced.
        let forced = try AtomicFileSink(url: file, replace: true)
        try forced.write("c\n")
        try forced.commit()
        #expect(try String(contentsOf: file, encoding: .utf8) == "c\n")
        // A discarded export leaves nothing behind, temporaries included.
        let dropped = try AtomicFileSink(url: dir.appendingPathComponent("dropped.csv"), replace: false)
        try dropped.write("x\n")
        dropped.discard()
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["alphas.csv", "late.csv"])
    }
}

/// A sink that keeps what it was given.
final class CollectingSink: ExportSink {
    var text = ""
    func write(_ s: String) throws { text += s }
}
