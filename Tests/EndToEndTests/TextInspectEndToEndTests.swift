// `inspect` and `list` on tiny Penn Treebank runs (valid-as-train): the total is the configured
// number of steps (epochs × ⌊rows/bptt⌋), not "?", for a search and an evaluation each stopped
// before its first epoch end and finished; `inspect` of the evaluation shows its
// evaluation.json figures (valid_ppl, test_ppl, params_m, wall_s) in text and JSON.

import Foundation
import Testing

private let ptb = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/ptb")

@Suite(.serialized, .enabled(if: FileManager.default.fileExists(atPath: ptb.appendingPathComponent("ptb.test.txt").path)))
struct TextInspectEndToEnd {
    static let data = ["--dataset", "ptb", "--data", ptb.path, "--ptb-layout", "valid-as-train", "--profile", "tiny"]

    @Test func textRunsShowTheirTotalsAndEvaluationFigures() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("inspect-text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = dir.appendingPathComponent("runs")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        let search = runs.appendingPathComponent("search"), stopped = runs.appendingPathComponent("stopped")
        #expect(try execute(exe, ["search"] + Self.data + ["--method", "darts", "--run", search.path]).status == 0)
        #expect(try execute(exe, ["search"] + Self.data + ["--method", "darts", "--run", stopped.path, "--max-steps", "5"]).status == 0)
        // tiny search: the first 2000 tokens in 16 columns = 125 rows, ⌊125/10⌋ = 12 batches per epoch, 2 epochs.
        let done = try execute(exe, ["inspect", search.path])
        #expect(done.status == 0 && done.out.contains("kind: rnn-search"), "\(done.err)")
        #expect(done.out.contains("steps in history: 0…24 (25 rows) of 24 in all"), "\(done.out)")
        let partial = try execute(exe, ["inspect", stopped.path])
        #expect(partial.out.contains("steps in history: 0…5 (6 rows) of 24 in all"), "before the first epoch end: \(partial.out)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try execute(exe, ["inspect", stopped.path, "--format", "json"]).out.utf8)) as? [String: Any])
        #expect(json["total_steps"] as? Int == 24 && json["last_step"] as? Int == 5)

        // An evaluation of the search's genotype: 2 epochs of tiny's 1600 training tokens in 8 columns = 200 rows, ⌊200/10⌋ = 20 batches.
        let evaluation = runs.appendingPathComponent("eval")
        let e = try execute(exe, ["evaluate", search.path] + Self.data + ["--epochs", "2", "--run", evaluation.path])
        #expect(e.status == 0, "\(e.err)")
        let stored = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: evaluation.appendingPathComponent("evaluation.json"))) as? [String: Any])
        let valid = try #require(stored["valid_ppl"] as? Double), test = try #require(stored["test_ppl"] as? Double)
        let params = try #require(stored["parameters_millions"] as? Double), wall = try #require(stored["wall_seconds"] as? Double)
        let inspect = try execute(exe, ["inspect", evaluation.path])
        #expect(inspect.status == 0 && inspect.out.contains("kind: rnn-evaluation"), "\(inspect.err)")
        #expect(inspect.out.contains("steps in history: 0…40 (41 rows) of 40 in all"), "\(inspect.out)")
        let line = String(format: "evaluation: valid_ppl=%.2f test_ppl=%.2f params_m=%.6f wall_s=%.1f", valid, test, params, wall)
        #expect(inspect.out.split(separator: "\n").contains { $0 == line }, "expected \(line) in \(inspect.out)")
        #expect(!inspect.out.contains("test error"), "not the CNN's figures")
        let evaluationJSON = try #require(try JSONSerialization.jsonObject(with: Data(try execute(exe, ["inspect", evaluation.path, "--format", "json"]).out.utf8)) as? [String: Any])
        let figures = try #require(evaluationJSON["text_evaluation"] as? [String: Any])
        #expect(figures["valid_ppl"] as? Double == valid && figures["test_ppl"] as? Double == test && figures["wall_seconds"] as? Double == wall)
        #expect(evaluationJSON["total_steps"] as? Int == 40 && evaluationJSON["evaluation"] == nil)

        // Stopped before its first epoch end: the total from its checkpoint's text stream; no evaluation.json yet.
        let early = runs.appendingPathComponent("eval-early")
        #expect(try execute(exe, ["evaluate", search.path] + Self.data + ["--epochs", "2", "--run", early.path, "--max-steps", "5"]).status == 0)
        let earlyInspect = try execute(exe, ["inspect", early.path])
        #expect(earlyInspect.out.contains("steps in history: 0…5 (6 rows) of 40 in all") && !earlyInspect.out.contains("evaluation: "), "\(earlyInspect.out)")

        let list = try execute(exe, ["list", runs.path])
        #expect(list.status == 0, "\(list.err)")
        let lines = list.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 6 && lines.last == "4 runs under \(runs.path)", "\(list.out)")
        let row = { (name: String) in lines.first { $0.hasPrefix(name + " ") } ?? "" }
        #expect(row("search").contains(" rnn-search ") && row("search").contains(" ptb ") && row("search").contains(" 24/24 "), "\(list.out)")
        #expect(row("stopped").contains(" 5/24 ") && row("stopped").contains(" stopped "), "\(list.out)")
        #expect(row("eval").contains(" rnn-evaluation ") && row("eval").contains(" 40/40 "), "\(list.out)")
        #expect(row("eval-early").contains(" 5/40 ") && row("eval-early").contains(" stopped "), "\(list.out)")
        #expect(!list.out.contains("/?"), "every total known")
    }
}
