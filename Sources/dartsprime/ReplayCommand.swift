// `dartsprime replay RUN`: the genotype of any stored step of a search, derived from the
// history's activated α by the projection of SPEC §4 (no training, no weights).

import ArgumentParser
import Foundation
import Analysis
import Training

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Derive the genotype of a search's stored step (default: the newest) from its history.",
        discussion: """
        --all-steps and --epochs print CSV `step,epoch,genotype,changed` (epoch = epochs completed after the
        step; changed = 1 where the genotype differs from the previous line's) and say on stderr where the
        genotype last changed. Where the step's checkpoint still exists, its α must give the same genotype.
        """)

    @Argument(help: "The search's run directory.") var runDirectory: String
    @Option(parsing: .unconditional, help: "The step to replay (default: the newest).") var step: Int?
    @Flag(name: .customLong("all-steps"), help: "One line per step.") var allSteps = false
    @Flag(help: "One line per epoch end.") var epochs = false
    @Option(help: "text (genotype / CSV) or json.") var format: ReportFormat = .text

    func validate() throws {
        if let s = step, s < 0 { throw ValidationError("replay: --step must be a step number ≥ 0, got \(s)") }
        if [step != nil, allSteps, epochs].filter({ $0 }).count > 1 {
            throw ValidationError("replay: choose one of --step, --all-steps and --epochs")
        }
    }

    func run() throws {
        let replay = try Replay(directory: URL(fileURLWithPath: runDirectory))
        if !allSteps && !epochs {
            let s = try replay.step(step)
            StandardStreams.writeLine(format == .json ? json([s]) : s.genotype.description)
            return
        }
        // --epochs: `changed` relative to the previous epoch end, not the previous step.
        let rows = try epochs ? replay.epochEnds() : replay.allSteps()
        if format == .json {
            StandardStreams.writeLine(json(rows))
        } else {
            StandardStreams.writeLine("step,epoch,genotype,changed")
            for r in rows { StandardStreams.writeLine("\(r.step),\(r.epoch),\"\(r.genotype)\",\(r.changed ? 1 : 0)") }
        }
        let changes = rows.filter(\.changed).map(\.step)
        // The summary goes with the rows: when they were lost the error line is all stderr says.
        if let last = rows.last, StandardStreams.outputFailure == nil {
            let since = changes.last ?? rows.first!.step
            StandardStreams.writeError(("genotype changed at \(changes.count) of \(rows.count) lines"
                + (changes.isEmpty ? "" : " (steps \(changes.map(String.init).joined(separator: " ")))")
                + "; unchanged since step \(since) through step \(last.step)\n"))
        }
    }


    private func json(_ rows: [ReplayedStep]) -> String {
        struct Row: Encodable { var step: Int; var epoch: Int; var epoch_end: Bool; var genotype: String; var changed: Bool }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let data = (try? e.encode(rows.map { Row(step: $0.step, epoch: $0.epoch, epoch_end: $0.epochEnd,
                                                 genotype: $0.genotype.description, changed: $0.changed) })) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
