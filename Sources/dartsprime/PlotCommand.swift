// `dartsprime plot RUN [RUN …]`: a run's figures (α per edge, FIMT, losses, regulariser, the
// final cells) into RUN/plots or --out DIR; several runs overlaid into --out DIR. Prints the
// files written on stdout, one per line, and a `note:` line on stderr per figure left out.
import ArgumentParser
import Analysis
import Foundation
import Training

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a run's figures (SVG, PNG with rsvg-convert; cells as DOT, rendered with dot).",
        discussion: """
        Figures: alphas_normal, alphas_reduce (act(α) per edge, one panel per node), fimt (F, F̄, τ, \
        α steps; FIMT-scheduled methods), loss (loss and accuracy on the training and α splits, or \
        test split), regularizer (methods with one), cell_normal, cell_reduce (the newest step's \
        genotype). Penn Treebank runs: alphas_recurrent (8 panels), fimt, loss (loss and perplexity), \
        regularizer, cell_recurrent. Several runs are overlaid, one colour per run (α: one row of panels \
        per run); CNN and ptb runs are not overlaid together. What does not apply to a run is left out \
        with a note on stderr. docs/FORMAT.md, "Plots".
        """)

    @Argument(help: "The run directory (several: overlay them).") var runDirectories: [String]
    @Option(help: "The directory for the figures (new or empty; default RUN/plots for one run).") var out: String?
    @Flag(help: "Write into a directory that holds files, replacing same-named figures.") var force = false

    func validate() throws {
        if runDirectories.isEmpty { throw ValidationError("plot needs at least one run directory") }
        if runDirectories.count > 1 && out == nil {
            throw ValidationError("--out DIR is needed to overlay \(runDirectories.count) runs")
        }
    }

    func run() throws {
        let runs = runDirectories.map { URL(fileURLWithPath: $0) }
        let directory = out.map { URL(fileURLWithPath: $0) } ?? runs[0].appendingPathComponent("plots")
        let result = try Plot.write(runs: runs, to: directory, replace: force)
        Self.report(result.notes)
        StandardStreams.write(result.files.map { $0.path + "\n" }.joined())
    }

    /// What was left out, one `note:` line each on stderr (not failures).
    static func report(_ notes: [String]) {
        for note in notes { StandardStreams.writeError("note: \(note)\n") }
    }
}
