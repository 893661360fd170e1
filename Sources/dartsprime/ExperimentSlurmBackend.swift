// The Slurm backend of `experiment` (docs/CLUSTER.md): the grid's searches as one job array,
// DIR/slurm/search.sbatch, and its evaluations as a second, DIR/slurm/evaluation.sbatch, each
// array task running `experiment --dir DIR --task N`. Printed with the sbatch commands that
// submit them; with --submit, submitted (the evaluations `aftercorr` on the searches) and the
// job ids recorded in DIR/slurm/jobs.json. Everything that can be refused is checked before
// anything is written: the settings, sbatch on PATH, a script edited since it was written,
// an unreadable jobs.json, and tasks of an earlier submission that Slurm may still run.

import ArgumentParser
import Foundation
import Analysis
import Cluster
import Training

struct ExperimentSlurmBackend {
    let grid: ExperimentGrid
    let layout: ExperimentLayout
    let submit: Bool
    /// The arrays to write: the searches, then (with --evaluate) the evaluations.
    let arrays: [JobArray]

    struct JobArray {
        var kind: ExperimentTask.Kind
        var script: SlurmScript
        var text: String
        var file: URL
    }

    /// The scripts for `grid` with `settings`; a value a script cannot hold is a usage error naming its flag.
    init(grid: ExperimentGrid, layout: ExperimentLayout, settings: SlurmSettings, submit: Bool) throws {
        self.grid = grid
        self.layout = layout
        self.submit = submit
        let searches = grid.tasks.filter { $0.kind == .search }.count
        let evaluations = grid.tasks.count - searches
        let executable = ChildProcess.executablePath
        var scripts = [(ExperimentTask.Kind.search, SlurmScript.search(executable: executable, gridDirectory: layout.root.path,
                                                                        count: searches, settings: settings))]
        if evaluations > 0 {
            scripts.append((.evaluation, SlurmScript.evaluation(executable: executable, gridDirectory: layout.root.path, count: evaluations,
                                                                 firstTask: searches, afterSearchJob: nil, settings: settings)))
        }
        do {
            arrays = try scripts.map { kind, script in JobArray(kind: kind, script: script, text: try script.text(), file: layout.slurmScript(kind)) }
        } catch let error as ClusterError {
            throw ValidationError(error.description)
        }
    }

    /// Refuses what would make the writing or the submission fail or double up, before anything
    /// is written; returns sbatch when submitting.
    func check(_ status: ExperimentSlurmStatus?) throws -> ExternalTool? {
        for a in arrays {
            if let existing = FileManager.default.contents(atPath: a.file.path), existing != Data(a.text.utf8) {
                throw RuntimeFailure("\(a.file.path) exists and differs from the script these flags write (edited, or other Slurm settings); "
                                     + "move it away to write it anew, or submit it as it is with sbatch")
            }
        }
        guard submit else { return nil }
        guard let sbatch = ExternalTool.find("sbatch") else {
            throw RuntimeFailure("--submit: sbatch not found on PATH; install Slurm's client tools, or drop --submit and submit "
                                 + "the scripts in \(layout.slurmDirectory.path) where sbatch runs")
        }
        _ = try SlurmJobsFile.read(layout)
        if let status, !status.activeTasks.isEmpty {
            let jobs = Set(status.activeTasks.compactMap { status.states[$0]?.job }).sorted()
            throw RuntimeFailure("\(layout.slurmJobs.path): \(status.activeTasks.count) task(s) of an earlier submission are still in Slurm "
                                 + "(\(jobs.prefix(4).joined(separator: ", "))\(jobs.count > 4 ? ", …" : "")); wait for them or scancel them before submitting again")
        }
        return sbatch
    }

    /// Writes the scripts (an identical one is kept as it is), prints them and how to submit
    /// them, and submits them with `sbatch` when one is given.
    func run(sbatch: ExternalTool?) throws {
        try FileManager.default.createDirectory(at: layout.slurmDirectory, withIntermediateDirectories: true)
        for a in arrays {
            let kept = FileManager.default.contents(atPath: a.file.path) == Data(a.text.utf8)
            if !kept {
                let sink = try AtomicFileSink(url: a.file, replace: true)
                try sink.write(a.text)
                try sink.commit()
            }
            StandardStreams.writeLine("\(kept ? "kept (unchanged)" : "wrote") \(a.file.path): \(describe(a))")
        }
        let evaluation = arrays.first { $0.kind == .evaluation }
        guard let sbatch else {
            StandardStreams.writeLine("submit them with:")
            for line in SlurmSubmission.commands(searchScript: arrays[0].file.path, evaluationScript: evaluation?.file.path) {
                StandardStreams.writeLine("  " + line)
            }
            return
        }
        var record = try SlurmJobsFile.read(layout) ?? SlurmJobs()
        let searchJob = try submit(arrays[0], with: sbatch, after: nil, record: &record)
        if let evaluation {
            do { _ = try submit(evaluation, with: sbatch, after: searchJob, record: &record) } catch let error as RuntimeFailure {
                throw RuntimeFailure("\(error.description); the search array was submitted as job \(searchJob) (recorded in \(layout.slurmJobs.path)): "
                                     + "submit the evaluations with: sbatch --dependency=aftercorr:\(searchJob) \(evaluation.file.path)")
            }
        }
        StandardStreams.writeLine("job ids recorded in \(layout.slurmJobs.path); follow them with: "
                                  + "squeue --jobs=\(record.jobs.suffix(arrays.count).map(\.jobID).joined(separator: ",")), "
                                  + "or dartsprime experiment --dir \(layout.root.path) --collect")
    }

    /// Submits one array and records its job id at once, so a later failure cannot lose it.
    private func submit(_ a: JobArray, with sbatch: ExternalTool, after searchJob: String?, record: inout SlurmJobs) throws -> String {
        let outcome: ToolOutcome
        switch sbatch.execute(SlurmSubmission.sbatchArguments(script: a.file.path, afterSearchJob: searchJob)) {
        case .failure(let f): throw RuntimeFailure("sbatch \(a.file.path): \(f.reason)")
        case .success(let o): outcome = o
        }
        guard outcome.status == 0, let job = SlurmSubmission.jobID(fromParsable: outcome.outputText) else {
            let message = outcome.errorText.trimmingCharacters(in: .whitespacesAndNewlines)
            throw RuntimeFailure("sbatch \(a.file.path) failed (exit \(outcome.status)): "
                                 + (message.isEmpty ? "no job id in its output '\(outcome.outputText.trimmingCharacters(in: .whitespacesAndNewlines))'" : message))
        }
        record.jobs.append(SlurmJobs.Job(jobID: job, stage: a.script.stage, firstTask: a.script.firstTask, taskCount: a.script.taskCount,
                                         script: a.file.path, dependsOnJob: searchJob, submitted: SlurmJobsFile.now()))
        try SlurmJobsFile.write(record, to: layout)
        StandardStreams.writeLine("submitted \(a.file.lastPathComponent): job \(job), \(describe(a))"
                                  + (searchJob.map { ", after job \($0) task by task (aftercorr)" } ?? ""))
        return job
    }

    /// `2 search tasks (grid tasks 0-1)`.
    private func describe(_ a: JobArray) -> String {
        let s = a.script
        return "\(s.taskCount) \(a.kind.rawValue) task\(s.taskCount == 1 ? "" : "s") (grid tasks \(s.firstTask)-\(s.firstTask + s.taskCount - 1))"
    }
}
