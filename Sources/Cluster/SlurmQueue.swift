// How Slurm sees the grid's tasks, read from `squeue` (live jobs, and finished ones until
// MinJobAge) and `sacct` (accounting, when the cluster keeps it): the command runs the tools
// with the arguments given here and hands their output to the parsers, which map each array
// task back to its grid task through DIR/slurm/jobs.json. The newest submission of a grid task wins.

public struct SlurmTaskState: Equatable, Sendable {
    /// `JOB_ARRAYTASK`, as Slurm names the task (`123_1`).
    public var job: String
    /// Slurm's job state: PENDING, RUNNING, COMPLETED, FAILED, …
    public var state: String
    /// Why a pending task waits (squeue's reason: Dependency, BeginTime, Resources, …), nil for none.
    public var reason: String?
    /// `squeue` or `sacct`.
    public var source: String

    public init(job: String, state: String, reason: String? = nil, source: String) {
        self.job = job; self.state = state; self.reason = reason; self.source = source
    }

    /// States after which Slurm runs the task no more (unless it is requeued by hand).
    public static let endedStates: Set<String> = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED",
                                                  "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT", "REVOKED"]

    /// Pending, running, completing, requeued, suspended…: Slurm may still run it.
    public var isActive: Bool { !Self.endedStates.contains(state) }
}

public enum SlurmQueue {
    /// `squeue` for `jobs`: one line per array task (`-r`), every state (`-t all`: finished tasks
    /// too, while Slurm remembers them), `ARRAYJOB|ARRAYTASK|STATE|REASON`.
    public static func squeueArguments(jobs: [String]) -> [String] {
        ["--noheader", "--array", "--states=all", "--jobs=" + jobs.joined(separator: ","), "--format=%F|%K|%T|%r"]
    }

    /// `sacct` for `jobs`: allocations only (`-X`), `|`-separated `JOBID|STATE`.
    public static func sacctArguments(jobs: [String]) -> [String] {
        ["--noheader", "--parsable2", "--allocations", "--jobs=" + jobs.joined(separator: ","), "--format=JobID,State"]
    }

    /// squeue's answer when none of the jobs is known any more: not a failure, just nothing to say.
    public static func squeueKnowsNone(_ errorText: String) -> Bool { errorText.contains("Invalid job id specified") }

    /// squeue's lines as grid task → state.
    public static func parseSqueue(_ text: String, jobs: SlurmJobs) -> [Int: SlurmTaskState] {
        var found: [Found] = []
        for line in lines(text) {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4, let arrayTask = Int(f[1]) else { continue }
            let reason = f[3] == "None" || f[3].isEmpty ? nil : f[3]
            found.append(Found(job: f[0], arrayTask: arrayTask,
                               state: SlurmTaskState(job: "\(f[0])_\(arrayTask)", state: f[2], reason: reason, source: "squeue")))
        }
        return newestPerTask(found, jobs: jobs)
    }

    /// sacct's lines as grid task → state. A pending array not yet split (`123_[0-3]`) names
    /// every task in its range; `CANCELLED by 0` is `CANCELLED`.
    public static func parseSacct(_ text: String, jobs: SlurmJobs) -> [Int: SlurmTaskState] {
        var found: [Found] = []
        for line in lines(text) {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 2, let underscore = f[0].firstIndex(of: "_") else { continue }
            let job = String(f[0][..<underscore])
            let state = String(f[1].split(separator: " ").first ?? "")
            for arrayTask in arrayTasks(String(f[0][f[0].index(after: underscore)...])) {
                found.append(Found(job: job, arrayTask: arrayTask,
                                   state: SlurmTaskState(job: "\(job)_\(arrayTask)", state: state, source: "sacct")))
            }
        }
        return newestPerTask(found, jobs: jobs)
    }

    /// One array task as a tool reported it.
    struct Found { var job: String; var arrayTask: Int; var state: SlurmTaskState }

    /// Each grid task's state from the newest submission that runs it; tasks of jobs not in
    /// jobs.json, and array tasks outside their job's range, are dropped.
    static func newestPerTask(_ found: [Found], jobs: SlurmJobs) -> [Int: SlurmTaskState] {
        var best: [Int: (order: Int, state: SlurmTaskState)] = [:]
        for f in found {
            guard let order = jobs.jobs.lastIndex(where: { $0.jobID == f.job }),
                  let task = jobs.jobs[order].gridTask(arrayTask: f.arrayTask) else { continue }
            if let b = best[task], b.order > order { continue }
            best[task] = (order, f.state)
        }
        return best.mapValues(\.state)
    }

    /// `3`, or `[0-3,5]` (optionally with a `%limit`), as task numbers.
    static func arrayTasks(_ text: String) -> [Int] {
        if let n = Int(text) { return [n] }
        guard text.hasPrefix("["), let close = text.firstIndex(of: "]") else { return [] }
        let inner = text[text.index(after: text.startIndex)..<close].split(separator: "%").first ?? ""
        return inner.split(separator: ",").flatMap { part -> [Int] in
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 1 { return bounds }
            if bounds.count == 2, bounds[0] <= bounds[1] { return Array(bounds[0]...bounds[1]) }
            return []
        }
    }

    private static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }
}
