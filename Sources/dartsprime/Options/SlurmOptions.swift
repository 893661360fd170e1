// `--backend`, `--submit` and the Slurm job settings (`--partition`, `--account`, `--time`,
// `--cpus-per-task`, `--mem`, `--sbatch`, `--signal-lead`): how `experiment` runs its grid, as
// one option group so the command only adds it (docs/CLUSTER.md).

import ArgumentParser
import Cluster

/// Where the grid's tasks run.
enum GridBackend: String, CaseIterable, ExpressibleByArgument {
    /// One after another in this process's machine (a local queue).
    case local
    /// As Slurm job arrays (written, and submitted with --submit).
    case slurm
}

struct SlurmOptions: ParsableArguments {
    @Option(name: .customLong("backend"), help: "Run the grid here (local) or as Slurm job arrays (slurm).")
    var backend: GridBackend = .local
    @Flag(name: .customLong("submit"), help: "With --backend slurm: submit the written job arrays with sbatch.")
    var submit = false
    @Option(name: .customLong("partition"), help: "Slurm partition of the tasks (default: the cluster's).")
    var partition: String?
    @Option(name: .customLong("account"), help: "Slurm account charged for the tasks.")
    var account: String?
    @Option(name: .customLong("time"), help: "Time limit of one task: minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S.")
    var time: String?
    @Option(name: .customLong("cpus-per-task"), parsing: .unconditional, help: "CPUs of one task; its worker threads follow them.")
    var cpusPerTask: Int?
    @Option(name: .customLong("mem"), help: "Memory of one task (sbatch --mem: e.g. 8G).")
    var memory: String?
    @Option(name: .customLong("sbatch"), parsing: .unconditionalSingleValue, help: "A further #SBATCH option, e.g. --sbatch --qos=low (repeatable).")
    var extraLines: [String] = []
    @Option(name: .customLong("signal-lead"), parsing: .unconditional,
            help: "Seconds before the time limit at which a task is told to commit its step and stop (\(SlurmSettings.defaultSignalLeadSeconds)).")
    var signalLead: Int?

    /// The flags that only a Slurm grid reads.
    private var slurmOnlyFlags: [String] {
        [submit ? "--submit" : nil, partition.map { _ in "--partition" }, account.map { _ in "--account" },
         time.map { _ in "--time" }, cpusPerTask.map { _ in "--cpus-per-task" }, memory.map { _ in "--mem" },
         extraLines.isEmpty ? nil : "--sbatch", signalLead.map { _ in "--signal-lead" }].compactMap { $0 }
    }

    func validate() throws {
        if backend == .local, let flag = slurmOnlyFlags.first {
            throw ValidationError("\(flag) needs --backend slurm")
        }
        if backend == .slurm { _ = try settings() }
    }

    /// The job settings, checked (a bad value is a usage error naming its flag).
    func settings() throws -> SlurmSettings {
        do {
            let s = SlurmSettings(partition: partition, account: account, timeLimit: try time.map(SlurmTimeLimit.init),
                                  cpusPerTask: cpusPerTask, memory: memory, extraLines: extraLines,
                                  signalLeadSeconds: signalLead ?? SlurmSettings.defaultSignalLeadSeconds)
            try s.validate()
            return s
        } catch let error as ClusterError {
            throw ValidationError(error.description)
        }
    }
}
