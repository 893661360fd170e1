// The `dartsprime` command: DARTS-PRIME search, resume, storage tools and benchmarks.
import ArgumentParser

@main
struct DartsPrime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dartsprime",
        abstract: "DARTS-PRIME neural architecture search, reproducible from its checkpoints.",
        subcommands: [
            SearchCommand.self,
            ResumeCommand.self,
            ReplayCommand.self,
            DemoCommand.self,
            VerifyCommand.self,
            ExportCommand.self,
            Bench.self,
            StoreTortureCommand.self,
        ])
}
