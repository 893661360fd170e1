// The `dartsprime` command: DARTS-PRIME search, resume, storage tools and benchmarks.
import ArgumentParser

@main
struct DartsPrime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dartsprime",
        abstract: "DARTS-PRIME neural architecture search, reproducible from its checkpoints.",
        discussion: """
        Exit status: 0 done (also resuming a finished run, and a --max-steps stop; diff: identical; \
        audit: match), 1 runtime error (a bad or missing file, a corrupt checkpoint, a failed \
        write, also to stdout; diff: different; audit: mismatch), 64 bad flags or usage (also a \
        configuration estimated not to fit in this machine's memory), 65 the run diverged (a loss \
        or gradient became non-finite; that step is not committed), 75 stopped by \
        SIGINT/SIGTERM/SIGHUP after committing, or at once by a second signal (requeue and \
        resume). Every failure prints one line on stderr; RUN/status.json says how a run ended \
        (running, stopped, preempted, finished, failed, diverged).
        """,
        subcommands: [
            SearchCommand.self,
            ResumeCommand.self,
            ReplayCommand.self,
            EvaluateCommand.self,
            ExperimentCommand.self,
            DemoCommand.self,
            VerifyCommand.self,
            AuditCommand.self,
            ExportCommand.self,
            PlotCommand.self,
            DiffCommand.self,
            InspectCommand.self,
            ListCommand.self,
            Bench.self,
            StoreTortureCommand.self,
        ])

    /// Replaces ArgumentParser's `main` with the tool's one exit path (CommandExit.swift).
    static func main() {
        HugePageHeap.reexecIfUseful()
        CommandExit.run(self)
    }
}
