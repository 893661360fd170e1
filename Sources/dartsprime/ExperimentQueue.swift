// The local backend of `experiment`: the grid's tasks in index order, each as a child
// `experiment --dir DIR --task N` (ChildProcess.swift says why), with progress over the grid
// and an ETA on stderr. Finished runs are skipped without starting a process; a failed task is
// reported and the rest continue; a stop signal lets the task in progress commit, then the
// queue exits 75. The summary is written at the end.

import ArgumentParser
import Foundation
import Analysis
import Training

struct ExperimentQueue {
    let grid: ExperimentGrid
    let layout: ExperimentLayout

    /// A task that did not end with status 0.
    struct Failure { var task: ExperimentTask; var status: Int32 }

    func run() throws {
        ChildProcess.installSignalForwarding()
        let tasks = grid.tasks
        var pending = tasks.filter { ExperimentTaskRunner.state(of: layout.directory(of: $0)) != "finished" }
        var seconds: [ExperimentTask.Kind: [Double]] = [:]
        var failures: [Failure] = []
        var skipped = 0, done = 0
        for task in tasks {
            let position = "[\(task.index + 1)/\(tasks.count)] \(task.label)"
            guard pending.first?.index == task.index else {
                skipped += 1
                StandardStreams.writeError("experiment: \(position): finished, skipped\n")
                continue
            }
            if ChildProcess.stopRequested { throw stopped(before: task) }
            StandardStreams.writeError("experiment: \(position): starting (\(done) run, \(skipped) skipped, \(failures.count) failed; "
                                       + "ETA \(ProgressPrinter.duration(Self.eta(pending, seconds))))\n")
            let started = Date()
            let status = try ChildProcess.runSelf(["experiment", "--dir", layout.root.path, "--task", String(task.index)])
            pending.removeFirst()
            if ChildProcess.stopRequested && (status == StopSignals.preemptedExitStatus || status > 128) {
                throw stopped(during: task)
            }
            if status == 0 {
                done += 1
                seconds[task.kind, default: []].append(Date().timeIntervalSince(started))
            } else {
                failures.append(Failure(task: task, status: status))
                StandardStreams.writeError("experiment: \(position): failed (exit \(status)); continuing with the rest\n")
            }
        }
        try ExperimentReport.summarise(grid, layout: layout)
        if !failures.isEmpty {
            let list = failures.map { "\($0.task.path) exit \($0.status)" }.joined(separator: ", ")
            throw RuntimeFailure("experiment: \(failures.count) of \(tasks.count) runs did not finish (\(list)); "
                                 + "their errors are above; run the same command again to retry them")
        }
    }

    /// Seconds left: the pending tasks at the mean time of the tasks of their kind run so far
    /// (of any kind before one of theirs ran); infinite (shown `?`) before any ran.
    static func eta(_ pending: [ExperimentTask], _ seconds: [ExperimentTask.Kind: [Double]]) -> Double {
        let all = seconds.values.flatMap { $0 }
        guard !all.isEmpty else { return .infinity }
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
        return pending.reduce(0) { $0 + mean(seconds[$1.kind].flatMap { $0.isEmpty ? nil : $0 } ?? all) }
    }

    /// Exit 75 with the line saying how to continue (not an error: the queue was preempted).
    func stopped(during task: ExperimentTask? = nil, before next: ExperimentTask? = nil) -> ExitCode {
        let whereStopped = task.map { "during task \($0.index) (\($0.label), its newest step committed)" }
            ?? next.map { "before task \($0.index)" } ?? ""
        StandardStreams.writeError("experiment stopped by a signal \(whereStopped); continue with the same command, "
                                   + "or: dartsprime experiment --dir \(layout.root.path)\n")
        return ExitCode(StopSignals.preemptedExitStatus)
    }
}
