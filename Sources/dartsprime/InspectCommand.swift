// `dartsprime inspect RUN|FILE`: what a run directory or a single checkpoint file holds and
// whether it verifies. Read-only: a damaged file is reported, never repaired or rewritten.

import ArgumentParser
import Foundation
import Training
import Analysis
import Evaluation
import RunStore

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a run directory or one checkpoint file holds, and whether it verifies (exit 1 if not).",
        discussion: """
        A run (CNN or ptb): kind, configuration, environment, history steps of the run's total, checkpoints \
        kept, newest state digest, genotype, an evaluation's evaluation.json figures, status, sizes on disk \
        and `verify`'s verdict. A checkpoint file (checkpoints/step-N.h5): its \
        step, every key with dtype, shape and digest check, the whole-state digest check, its history row, \
        configuration and environment. Nothing is changed; a damaged file is reported as damaged (exit 1, \
        one error line naming the problem).
        """)

    @Argument(help: "A run directory or a checkpoint file.") var path: String
    @Option(help: "text or json.") var format: ReportFormat = .text

    func run() throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw RuntimeFailure("\(url.path): no such run directory or file")
        }
        let problem = isDirectory.boolValue ? try inspectRun(url) : try inspectFile(url)
        if let problem { throw RuntimeFailure(problem) }
    }

    /// Prints the run's summary; returns verify's first problem.
    private func inspectRun(_ url: URL) throws -> String? {
        let summary = try RunSummary(directory: url)
        let report = try RunStore.open(at: url, readOnly: true).verify()
        let problem = report.firstProblem.map { "\($0)" + (report.problems.count > 1 ? " (\(report.problems.count - 1) more problems)" : "") }
        if format == .json {
            try ReportOutput.printJSON(RunJSON(summary, report))
            return problem
        }
        let s = summary
        StandardStreams.writeLine("run: \(s.directory)")
        StandardStreams.writeLine("kind: \(s.kind)")
        StandardStreams.writeLine("status: \(s.state)" + (s.status.isEmpty ? "" : " (status.json: " + s.status.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"))
        StandardStreams.writeLine("steps in history: \(ReportOutput.range(first: s.firstStep, last: s.lastStep, count: s.historyRows)) of \(s.totalSteps.map(String.init) ?? "?") in all")
        StandardStreams.writeLine("checkpoints kept: \(ReportOutput.steps(s.checkpointsKept)) (\(s.checkpointsKept.count))")
        StandardStreams.writeLine("newest state digest: \(s.newestStateDigest ?? "none")")
        if let g = s.genotype {
            let changed = s.genotypeChangedAt.map { " (newest step \(s.lastStep ?? 0), last changed at step \($0))" } ?? " (trained by this run)"
            StandardStreams.writeLine("genotype\(changed): \(g)")
        }
        if let e = s.evaluation {
            StandardStreams.writeLine(String(format: "evaluation: test error %.2f %%, test accuracy %.4f, %.6f M parameters", e.testError, e.testAccuracy, e.parametersMillions))
        }
        if let e = s.textEvaluation {
            StandardStreams.writeLine(String(format: "evaluation: valid_ppl=%.2f test_ppl=%.2f params_m=%.6f", e.validPerplexity,
                                             e.testPerplexity, e.parametersMillions)
                                      + (e.wallSeconds.map { String(format: " wall_s=%.1f", $0) } ?? " wall_s=?"))
        }
        StandardStreams.writeLine("sizes on disk: total \(ReportOutput.bytes(s.sizes.total)), checkpoints \(ReportOutput.bytes(s.sizes.checkpoints)), history \(ReportOutput.bytes(s.sizes.history))")
        StandardStreams.writeLine("configuration: \(s.configurationJSON)")
        StandardStreams.writeLine("environment:")
        for (k, v) in s.environment.sorted(by: { $0.key < $1.key }) { StandardStreams.writeLine("  \(k): \(v)") }
        StandardStreams.writeLine(problem.map { "verifies: no: \($0)" }
              ?? "verifies: yes (\(report.checkpointsChecked) checkpoints, \(report.tensorsChecked) tensors, \(report.historyRows) history rows)")
        return problem
    }

    /// Prints the checkpoint file's report; returns its first problem.
    private func inspectFile(_ url: URL) throws -> String? {
        let r = CheckpointFileReport(inspecting: url)
        let problem = r.problems.first.map { "\($0)" + (r.problems.count > 1 ? " (\(r.problems.count - 1) more problems)" : "") }
        if format == .json {
            try ReportOutput.printJSON(CheckpointJSON(r))
            return problem.map { "damaged: " + $0 }
        }
        StandardStreams.writeLine("file: \(r.file)")
        if let h = r.header {
            StandardStreams.writeLine("step: \(h.step)\(h.epochEnd ? " (epoch end)" : ""), format version \(h.formatVersion)")
            let check = r.computedStateDigest.map { $0 == h.stateDigest ? "recomputed: matches" : "recomputed: \($0), DIFFERENT" }
                ?? "not recomputed: not every value could be read"
            StandardStreams.writeLine("state digest: \(h.stateDigest) (\(check))")
        }
        StandardStreams.writeLine("arrays (\(r.arrays.count)):")
        for a in r.arrays {
            let layout = a.dtype.map { d in "\(d.rawValue) [\((a.shape ?? []).map(String.init).joined(separator: ","))]" } ?? "unreadable"
            let check = a.digestMatches ? "digest ok"
                : "DAMAGED: stored digest \(a.storedDigest ?? "missing"), data hashes to \(a.computedDigest ?? "(unreadable)")"
            StandardStreams.writeLine("  \(a.key) \(layout) \(check)")
        }
        if let c = r.checkpoint {
            StandardStreams.writeLine("scalars (\(c.scalars.count)):")
            for k in StateDigest.sortedKeys(c.scalars.keys) { StandardStreams.writeLine("  \(k) = \(c.scalars[k]!)") }
            StandardStreams.writeLine("integers (\(c.integers.count)):")
            for k in StateDigest.sortedKeys(c.integers.keys) { StandardStreams.writeLine("  \(k) = \(c.integers[k]!)") }
            StandardStreams.writeLine("strings (\(c.strings.count)):")
            for k in StateDigest.sortedKeys(c.strings.keys) {
                let v = c.strings[k]!
                StandardStreams.writeLine("  \(k) = \(v.count <= 100 ? v : String(v.prefix(97)) + "...") (\(v.utf8.count) bytes)")
            }
        }
        if let row = r.historyRow {
            StandardStreams.writeLine("history row: " + StateDigest.sortedKeys(row.values.keys).map { "\($0)=\(row.values[$0]!)" }.joined(separator: " "))
            for k in StateDigest.sortedKeys(row.arrays.keys) {
                let a = row.arrays[k]!
                StandardStreams.writeLine("  \(k) \(a.dtype.rawValue) [\(a.shape.map(String.init).joined(separator: ","))]")
            }
        }
        if let config = r.configurationJSON { StandardStreams.writeLine("configuration: \(config)") }
        if let env = r.environment {
            StandardStreams.writeLine("environment:")
            for (k, v) in env.sorted(by: { $0.key < $1.key }) { StandardStreams.writeLine("  \(k): \(v)") }
        }
        StandardStreams.writeLine(problem.map { "damaged: \($0)" } ?? "verifies: yes (every tensor digest and the whole-state digest match)")
        return problem.map { "damaged: " + $0 }
    }
}
