// The Slurm option group as `experiment` will parse it: every flag reaches SlurmSettings, a
// bad value is a usage error naming its flag, and Slurm-only flags need --backend slurm.
import ArgumentParser
import Cluster
import Testing
@testable import dartsprime

@Suite struct SlurmOptionsTests {
    @Test func everyFlagReachesTheSettings() throws {
        let o = try SlurmOptions.parse(["--backend", "slurm", "--submit", "--partition", "preempt", "--account", "lab",
                                        "--time", "12:00:00", "--cpus-per-task", "4", "--mem", "16G",
                                        "--sbatch", "--qos=low", "--sbatch", "#SBATCH --exclusive", "--signal-lead", "600"])
        #expect(o.backend == .slurm && o.submit)
        #expect(try o.settings() == SlurmSettings(partition: "preempt", account: "lab", timeLimit: try SlurmTimeLimit("12:00:00"),
                                                  cpusPerTask: 4, memory: "16G", extraLines: ["--qos=low", "#SBATCH --exclusive"],
                                                  signalLeadSeconds: 600))
    }

    @Test func defaultsAreALocalGrid() throws {
        let o = try SlurmOptions.parse([])
        #expect(o.backend == .local && !o.submit)
        #expect(try o.settings() == SlurmSettings())
    }

    @Test(arguments: [
        (["--backend", "slurm", "--time", "1h"], "--time"),
        (["--backend", "slurm", "--cpus-per-task", "0"], "--cpus-per-task"),
        (["--backend", "slurm", "--mem", "lots"], "--mem"),
        (["--backend", "slurm", "--time", "5", "--signal-lead", "300"], "--signal-lead"),
        (["--backend", "slurm", "--sbatch", "--array=0-9"], "--sbatch"),
        (["--backend", "slurm", "--partition", "a b"], "--partition"),
        (["--partition", "x"], "--partition needs --backend slurm"),
        (["--submit"], "--submit needs --backend slurm"),
        (["--backend", "cloud"], "--backend"),
    ])
    func badFlagsAreUsageErrorsNamingTheFlag(_ arguments: [String], _ named: String) {
        do {
            _ = try SlurmOptions.parse(arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            #expect(SlurmOptions.exitCode(for: error) == .validationFailure, "\(arguments)")
            #expect(SlurmOptions.message(for: error).contains(named), "\(SlurmOptions.message(for: error))")
        }
    }
}
