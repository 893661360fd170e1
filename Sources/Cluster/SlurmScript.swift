// The sbatch job arrays of an experiment grid: one task per grid cell, each running
// `dartsprime experiment --dir DIR --task N` (start, resume or nothing to do), the searches as
// one array and their evaluations as a second that waits task by task (`aftercorr`).
//
// Stopping and requeue (docs/CLUSTER.md, "Preemption and requeue"), tried on Slurm 22.05:
// - `--signal=TERM@LEAD` (no `B:`) signals job steps only; a batch script without `srun` has
//   none, so the run never hears it and the time limit's SIGKILL loses the step in progress.
// - `--signal=B:…@LEAD` signals the batch shell alone. The shell therefore stays (no `exec`),
//   runs the task in the background and turns that USR1 into one SIGTERM to it: the run commits
//   its step and exits 75.
// - Slurm's own SIGTERM (the time limit reached, preemption, scancel) goes to every process of
//   the job, the run included. The shell only waits on then: forwarding it would be a second
//   signal, which stops a run at once without committing the step in progress. That is why
//   the early signal is USR1 and not TERM.
// - Exit 75 (committed and stopped) becomes `scontrol requeue ARRAYJOB_TASK`, so the task goes
//   back into the queue and resumes from that step; any other status ends the task with it.
//   Not `$SLURM_JOB_ID`: for the array's last task that is the array's own id, and requeueing it
//   requeues (and stops) every task of the array.

public struct SlurmScript: Equatable, Sendable {
    /// Which array of the grid.
    public enum Stage: String, Codable, Sendable {
        case search, evaluate
    }

    public var stage: Stage
    /// The dartsprime executable the tasks run (absolute; written as is).
    public var executable: String
    /// The grid's directory (`experiment --dir`); logs go to `DIR/slurm/` (created before submission).
    public var gridDirectory: String
    /// Array tasks 0..<taskCount.
    public var taskCount: Int
    /// The grid task number of array task 0: array task i runs `--task firstTask + i`.
    public var firstTask: Int
    /// The search array's job id, for the evaluation array's `aftercorr` dependency.
    public var afterJob: String?
    public var settings: SlurmSettings

    /// The signal Slurm sends the batch shell ahead of the time limit.
    public static let earlySignal = "USR1"
    /// What the shell does with a stop status (StopSignals' EX_TEMPFAIL).
    public static let preemptedStatus: Int32 = 75

    public init(stage: Stage, executable: String, gridDirectory: String, taskCount: Int, firstTask: Int = 0,
                afterJob: String? = nil, settings: SlurmSettings = SlurmSettings()) {
        self.stage = stage
        self.executable = executable
        self.gridDirectory = gridDirectory
        self.taskCount = taskCount
        self.firstTask = firstTask
        self.afterJob = afterJob
        self.settings = settings
    }

    /// The search array: grid tasks 0..<count.
    public static func search(executable: String, gridDirectory: String, count: Int, settings: SlurmSettings) -> SlurmScript {
        SlurmScript(stage: .search, executable: executable, gridDirectory: gridDirectory, taskCount: count, settings: settings)
    }

    /// The evaluation array: array task i evaluates search task i (grid task `firstTask + i`) and
    /// starts once that search task has completed successfully.
    public static func evaluation(executable: String, gridDirectory: String, count: Int, firstTask: Int,
                                  afterSearchJob job: String?, settings: SlurmSettings) -> SlurmScript {
        SlurmScript(stage: .evaluate, executable: executable, gridDirectory: gridDirectory, taskCount: count,
                    firstTask: firstTask, afterJob: job, settings: settings)
    }

    /// `aftercorr:JOB`: array task i of the dependent array waits for task i of JOB to complete
    /// successfully; a requeued task is not complete, a failed one never satisfies it.
    public static func dependency(afterCorrespondingTasksOf job: String) -> String { "aftercorr:\(job)" }

    /// The directory of the per-task logs.
    public var logDirectory: String { gridDirectory.hasSuffix("/") ? gridDirectory + "slurm" : gridDirectory + "/slurm" }

    /// Throws the first value the script cannot be written with.
    public func validate() throws {
        try settings.validate()
        guard taskCount >= 1 else {
            throw ClusterError.invalidSetting(flag: "--task", reason: "a job array needs at least one task, got \(taskCount)")
        }
        guard firstTask >= 0 else { throw ClusterError.invalidSetting(flag: "--task", reason: "the first task must be 0 or more, got \(firstTask)") }
        for (flag, path) in [("--dir", gridDirectory), ("executable", executable)] {
            guard path.hasPrefix("/") else {
                throw ClusterError.invalidSetting(flag: flag, reason: "'\(path)' must be an absolute path: a task starts in Slurm's working directory")
            }
            if let problem = ShellText.sbatchProblem(path) {
                throw ClusterError.invalidSetting(flag: flag, reason: "'\(path)' \(problem)")
            }
        }
        if let job = afterJob, job.isEmpty || !job.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw ClusterError.invalidSetting(flag: "--dependency", reason: "'\(job)' is not a Slurm job id")
        }
    }

    /// The `#SBATCH` options, in the order they are written.
    public func sbatchOptions() throws -> [String] {
        try validate()
        let s = settings
        var o = [
            "--job-name=dartsprime-\(stage.rawValue)",
            "--array=0-\(taskCount - 1)",
            "--requeue",
            "--signal=B:\(Self.earlySignal)@\(s.signalLeadSeconds)",
            "--open-mode=append",
            // %a: the array index, so a requeued task appends to its own files.
            "--output=" + ShellText.sbatchFileName(directory: logDirectory, pattern: "\(stage.rawValue)-%a.out"),
            "--error=" + ShellText.sbatchFileName(directory: logDirectory, pattern: "\(stage.rawValue)-%a.err"),
        ]
        if let job = afterJob { o.append("--dependency=" + Self.dependency(afterCorrespondingTasksOf: job)) }
        if let v = s.partition { o.append("--partition=\(v)") }
        if let v = s.account { o.append("--account=\(v)") }
        if let v = s.timeLimit { o.append("--time=\(v.text)") }
        if let v = s.cpusPerTask { o.append("--cpus-per-task=\(v)") }
        if let v = s.memory { o.append("--mem=\(v)") }
        return o + (try s.sbatchOptions())
    }

    /// The whole script.
    public func text() throws -> String {
        let options = try sbatchOptions()
        let lead = settings.signalLeadSeconds
        var lines = [
            "#!/bin/bash",
            "# dartsprime experiment grid, \(stage.rawValue) array: \(taskCount) task(s), grid tasks \(firstTask)-\(firstTask + taskCount - 1).",
            "# Written by dartsprime; docs/CLUSTER.md explains every line.",
        ]
        lines += options.map { "#SBATCH " + $0 }
        lines += [
            "",
            "set -u",
            ": \"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch: it is a job array}\"",
            "executable=" + ShellText.quoted(executable),
            "grid=" + ShellText.quoted(gridDirectory),
            "task=$((SLURM_ARRAY_TASK_ID + \(firstTask)))",
            "",
            "# Slurm sends \(Self.earlySignal) to this shell alone \(lead) s before the time limit (--signal=B:\(Self.earlySignal)@\(lead)):",
            "# it becomes one SIGTERM to the run, which commits its step and exits \(Self.preemptedStatus).",
            "# Slurm's own SIGTERM (time limit, preemption, scancel) reaches every process of the job, the run",
            "# included: passing it on would be a second signal, which stops the run before it commits.",
            "run=",
            "interrupted=0",
            "stop_early=0",
            "trap 'interrupted=1; if [ -n \"$run\" ]; then kill -TERM \"$run\" 2>/dev/null; else stop_early=1; fi' \(Self.earlySignal)",
            "trap 'interrupted=1' TERM INT HUP",
            "\"$executable\" experiment --dir \"$grid\" --task \"$task\" &",
            "run=$!",
            "# A signal that came before the run's id was known is passed on now.",
            "[ \"$stop_early\" = 1 ] && kill -TERM \"$run\" 2>/dev/null",
            "while :; do",
            "  interrupted=0",
            "  wait \"$run\"; status=$?",
            "  # wait returns early (status above 128) when a trap ran: wait again for the run's own status.",
            "  [ \"$interrupted\" = 1 ] && [ \"$status\" -gt 128 ] || break",
            "done",
            "",
            "if [ \"$status\" -eq \(Self.preemptedStatus) ]; then",
            "  # Committed and stopped by a signal: back into the queue, where the task resumes from that step.",
            "  # (Where Slurm requeues a preempted job itself, this request is refused and changes nothing.)",
            "  # This array task alone: the last task's SLURM_JOB_ID is the array's own id, which would requeue every task.",
            "  array_task=\"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"",
            "  echo \"dartsprime: grid task $task stopped after committing its step (exit \(Self.preemptedStatus)); requeueing job $array_task\" >&2",
            "  scontrol requeue \"$array_task\" || echo \"dartsprime: scontrol requeue failed; run the grid again to resume task $task\" >&2",
            "  exit \(Self.preemptedStatus)",
            "fi",
            "exit \"$status\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
