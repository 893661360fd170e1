// `dartsprime export RUN WHAT`: research tables of a stored run as CSV or JSON, on stdout or in a
// new file (docs/FORMAT.md "Exports"; `history` keeps its wide layout of §8).
import ArgumentParser
import Analysis
import Foundation
import RunStore
import Training

extension HistoryExportFormat: ExpressibleByArgument {}
extension ExportKind: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a run's α, FIMT, genotypes or per-step history as CSV or JSON.",
        discussion: """
        WHAT: alphas (step,epoch,cell,edge,from,to,op,alpha,weight; alpha only where the step's \
        checkpoint is kept), fimt (step,epoch,epoch_end,F,Fbar,tau,alpha_step,alpha_steps_total), \
        fimt-traces (step,epoch,cell,edge,from,to,op,trace; kept checkpoints), genotypes \
        (step,epoch,epoch_end,changed,genotype; epoch ends, or --all-steps), history (one wide \
        row per step with its state_digest; evaluation runs export only this). Columns are \
        documented in docs/FORMAT.md, "Exports".
        """)

    @Argument(help: "The run directory.") var runDirectory: String
    @Argument(help: "What to export: alphas, fimt, fimt-traces, genotypes or history.") var what: ExportKind
    @Option(help: "Output format: csv or json.") var format: HistoryExportFormat = .csv
    @Option(help: "Only steps A to B, both included (A: or :B leave one end open; N is one step).") var steps: String?
    @Option(help: "Write to this new file (atomically) instead of standard output.") var out: String?
    @Flag(help: "With --out: replace an existing file.") var force = false
    @Flag(name: .customLong("all-steps"), help: "genotypes: one row per step instead of per epoch end.") var allSteps = false

    func validate() throws {
        if let steps, StepRange(parsing: steps) == nil {
            throw ValidationError("--steps must be A:B with steps A ≤ B (either may be left out, e.g. 100: or :50), got '\(steps)'")
        }
        if allSteps && what != .genotypes { throw ValidationError("--all-steps applies to export genotypes only") }
        if force && out == nil { throw ValidationError("--force needs --out FILE") }
    }

    func run() throws {
        let store = try RunStore.open(at: URL(fileURLWithPath: runDirectory), readOnly: true)
        let range = steps.flatMap(StepRange.init(parsing:)) ?? .all
        guard let out else {
            do {
                try Export.write(what, of: store, as: format, steps: range, allSteps: allSteps, to: StandardOutputSink())
            } catch ExportError.outputLost {
                return  // the exit path reports the lost output in one line
            }
            return
        }
        let file = URL(fileURLWithPath: out).standardizedFileURL
        let run = store.url.standardizedFileURL.resolvingSymlinksInPath().path
        let target = file.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(file.lastPathComponent).path
        if target == run || target.hasPrefix(run + "/") { throw ExportError.outputInsideRun(path: out, run: store.url.path) }
        let sink = try AtomicFileSink(url: file, replace: force)
        try Export.write(what, of: store, as: format, steps: range, allSteps: allSteps, to: sink)
        try sink.commit()
    }
}
