// `dartsprime diff RUN_A RUN_B`: identical, or the first step whose state digests differ, the
// tensors that differ there, and the runs' configuration and environment differences.

import ArgumentParser
import Foundation
import Training
import Analysis
import RunStore

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two runs step by step: identical, or where they first diverge and which tensors differ there.",
        discussion: """
        The histories' per-step state digests are compared in step order. At the first diverging step the
        two checkpoints are compared key by key (max abs and rel difference); when either run no longer keeps
        that step, the first later step both keep is compared instead. Configuration (run.json \
        configuration_json, field by field) and environment differences are listed but do not make runs \
        different. Exit status 0 identical (same steps, same digests), 1 different or an error. The last \
        line of text output is a one-line summary; --format json prints one JSON object with a summary field.
        """)

    @Argument(help: "Run A.") var runA: String
    @Argument(help: "Run B.") var runB: String
    @Option(help: "text or json.") var format: ReportFormat = .text

    /// Key differences printed as text (JSON lists all).
    static let textLimit = 20

    func run() throws {
        let diff = try RunDiff(URL(fileURLWithPath: runA), URL(fileURLWithPath: runB))
        if format == .json { try ReportOutput.printJSON(DiffJSON(diff)) } else { printText(diff) }
        if !diff.isIdentical { throw ExitCode(1) }
    }

    private func printText(_ d: RunDiff) {
        for (label, s) in [("A", d.a), ("B", d.b)] {
            StandardStreams.writeLine("\(label): \(s.run) (\(s.kind)): steps \(ReportOutput.range(first: s.firstStep, last: s.lastStep, count: s.steps)), checkpoints kept: \(ReportOutput.steps(s.checkpointsKept))")
        }
        if let step = d.firstDivergingStep {
            StandardStreams.writeLine("first diverging step: \(step) (state digest A \(d.digestA ?? "missing"), B \(d.digestB ?? "missing"))")
            if let compared = d.comparedStep, let c = d.comparison {
                if compared != step {
                    StandardStreams.writeLine("step \(step) is not kept as a checkpoint by both runs; compared at step \(compared), the first later step both keep")
                }
                StandardStreams.writeLine("at step \(compared): \(c.differences.count) of \(c.keysCompared) keys differ")
                for k in c.differences.prefix(Self.textLimit) { StandardStreams.writeLine("  \(k)") }
                if c.differences.count > Self.textLimit {
                    StandardStreams.writeLine("  … and \(c.differences.count - Self.textLimit) more (--format json lists all)")
                }
            } else {
                StandardStreams.writeLine("no step from \(step) on is kept as a checkpoint by both runs; tensors not compared")
            }
        } else {
            StandardStreams.writeLine("state digests: identical over the \(d.commonSteps) common steps")
        }
        for (what, list) in [("configuration", d.configurationDifferences), ("environment", d.environmentDifferences)] {
            if list.isEmpty { StandardStreams.writeLine("\(what): identical"); continue }
            StandardStreams.writeLine("\(what) differences:")
            for f in list { StandardStreams.writeLine("  \(f)") }
        }
        StandardStreams.writeLine(d.summary)
    }
}

/// `diff --format json`.
private struct DiffJSON: Encodable {
    var identical: Bool
    var summary: String
    var a: RunDiff.Side
    var b: RunDiff.Side
    var common_steps: Int
    var first_diverging_step: Int?
    var state_digest_a: String?
    var state_digest_b: String?
    var compared_step: Int?
    var keys_compared: Int?
    var differences: [KeyDifference]?
    var configuration_differences: [FieldDifference]
    var environment_differences: [FieldDifference]

    init(_ d: RunDiff) {
        identical = d.isIdentical; summary = d.summary; a = d.a; b = d.b; common_steps = d.commonSteps
        first_diverging_step = d.firstDivergingStep; state_digest_a = d.digestA; state_digest_b = d.digestB
        compared_step = d.comparedStep; keys_compared = d.comparison?.keysCompared; differences = d.comparison?.differences
        configuration_differences = d.configurationDifferences; environment_differences = d.environmentDifferences
    }
}
