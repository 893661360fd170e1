// What Slurm says about a grid's submitted tasks, beside what their run stores say: `squeue`
// (live tasks, and finished ones while Slurm remembers them) and `sacct` (when the cluster
// keeps accounting) for the job ids in DIR/slurm/jobs.json. Without the tools, or when they
// fail, the report says so in one line and the stores alone speak: never an error.

import Foundation
import Analysis
import Cluster

struct ExperimentSlurmStatus {
    /// The submissions (empty when jobs.json is unreadable).
    var jobs: SlurmJobs
    /// Grid task → Slurm's view of it.
    var states: [Int: SlurmTaskState]
    /// How each tool answered: `squeue`, `sacct: Slurm accounting storage is disabled`, …
    var sources: [String]

    /// Asks Slurm about the jobs in `layout`'s jobs.json; nil when nothing was submitted.
    static func query(_ layout: ExperimentLayout, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> ExperimentSlurmStatus? {
        let jobs: SlurmJobs
        do {
            guard let read = try SlurmJobsFile.read(layout) else { return nil }
            jobs = read
        } catch {
            return ExperimentSlurmStatus(jobs: SlurmJobs(), states: [:], sources: ["\(error)"])
        }
        var states: [Int: SlurmTaskState] = [:]
        var sources: [String] = []
        let ids = jobs.jobIDs
        // sacct first: squeue's live view replaces what accounting recorded.
        switch ask("sacct", SlurmQueue.sacctArguments(jobs: ids), path: path) {
        case .success(let text): states = SlurmQueue.parseSacct(text, jobs: jobs); sources.append("sacct")
        case .failure(let why): sources.append(why.reason)
        }
        switch ask("squeue", SlurmQueue.squeueArguments(jobs: ids), path: path, emptyWhen: SlurmQueue.squeueKnowsNone) {
        case .success(let text): states.merge(SlurmQueue.parseSqueue(text, jobs: jobs)) { $1 }; sources.insert("squeue", at: 0)
        case .failure(let why): sources.insert(why.reason, at: 0)
        }
        return ExperimentSlurmStatus(jobs: jobs, states: states, sources: sources)
    }

    /// Slurm's tools retry an unreachable controller for a minute or more; a report waits this long.
    static let toolTimeoutSeconds = 20.0

    /// A tool's stdout, or why there is none (not installed, or its first error line).
    private static func ask(_ name: String, _ arguments: [String], path: String?,
                            emptyWhen knowsNone: (String) -> Bool = { _ in false }) -> Result<String, ToolFailure> {
        guard let tool = ExternalTool.find(name, path: path) else { return .failure(ToolFailure(reason: "\(name) not found on PATH")) }
        switch tool.execute(arguments, timeout: toolTimeoutSeconds) {
        case .failure(let f): return .failure(f)
        case .success(let o):
            if o.status == 0 { return .success(o.outputText) }
            if knowsNone(o.errorText) { return .success("") }
            let first = o.errorText.split(whereSeparator: \.isNewline).first.map(String.init) ?? "exit status \(o.status)"
            return .failure(ToolFailure(reason: first.hasPrefix(name + ":") ? first : "\(name): \(first)"))
        }
    }

    /// The grid tasks Slurm may still run.
    var activeTasks: [Int] { states.filter { $0.value.isActive }.keys.sorted() }

    /// The report printed after the summary table: one line per submitted grid task, its store
    /// state beside Slurm's, then the counts.
    func lines(_ collection: ExperimentCollection, layout: ExperimentLayout) -> [String] {
        var out = ["", "Slurm (\(layout.slurmJobs.path); \(sources.joined(separator: "; "))):"]
        guard sources.contains("squeue") || sources.contains("sacct") else {
            return out + ["reported from the run stores alone (above)."]
        }
        let submitted = Set(jobs.jobs.flatMap { j in (0..<j.taskCount).map { j.firstTask + $0 } })
        var counts: [String: Int] = [:]
        for report in collection.reports where submitted.contains(report.task.index) {
            let slurm: String
            if let s = states[report.task.index] {
                slurm = "Slurm \(s.job) \(s.state)" + (s.reason.map { " (\($0))" } ?? "")
                counts[s.state, default: 0] += 1
            } else {
                slurm = "not known to Slurm (finished jobs are forgotten after MinJobAge without accounting)"
                counts["unknown", default: 0] += 1
            }
            out.append("- \(report.task.path): \(report.state); \(slurm)")
        }
        let order = ["PENDING", "RUNNING", "COMPLETING", "COMPLETED"]
        let keys = counts.keys.sorted { (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1) }
        out.append("In Slurm: " + (keys.isEmpty ? "nothing" : keys.map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")) + ".")
        return out
    }
}
