// One task of an experiment, in this process: what `experiment --task N` runs (a Slurm array
// task, or a child of the local queue). Idempotent: a finished run exits 0 at once, an
// interrupted one resumes, an absent one starts; an evaluation refuses to start before its
// search has finished. Launching goes through SearchLauncher like `search` and `evaluate`.

import Foundation
import Analysis
import Evaluation
import RunStore
import Search
import Training

enum ExperimentTaskRunner {
    static func run(_ task: ExperimentTask, grid: ExperimentGrid, layout: ExperimentLayout) throws {
        let directory = layout.directory(of: task)
        if state(of: directory) == "finished" {
            StandardStreams.writeError("\(task.label): already finished (\(directory.path)); nothing to do\n")
            return
        }
        switch task.kind {
        case .search:
            let setup = grid.search(task.cell)
            try setup.validateAsFlags()
            try createParent(of: directory)
            try SearchLauncher.startOrResume(directory: directory) {
                switch setup {
                case .image(let c): return try CNNSearch(configuration: c)
                case .text(let c): return try RecurrentSearch(configuration: c)
                }
            }
        case .evaluation:
            guard let dependency = task.dependsOn else { return }
            let search = layout.directory(of: grid.tasks[dependency])
            let searchState = state(of: search)
            guard searchState == "finished" else {
                throw RuntimeFailure("\(search.path): its search is \(searchState), not finished; task \(task.index) (\(task.label)) "
                                     + "evaluates it only after task \(dependency) finished")
            }
            switch grid.evaluation(task.cell) {
            case .image(var c):
                try c.takeGenotype(fromSearch: search, step: nil)
                try c.validateAsFlags()
                try createParent(of: directory)
                try SearchLauncher.startOrResume(directory: directory) { try CNNEvaluation(configuration: c) }
            case .text(var c):
                try c.takeGenotype(fromSearch: search, step: nil)
                try c.validateAsFlags()
                try createParent(of: directory)
                try SearchLauncher.startOrResume(directory: directory) { try RecurrentEvaluation(configuration: c) }
            }
        }
    }

    /// DIR/DATASET/METHOD/seed-SEED, once the task is known to run.
    static func createParent(of directory: URL) throws {
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
    }

    /// status.json's state (`missing` without a run, `unreadable` when it cannot be read).
    static func state(of directory: URL) -> String {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("run.json").path) else { return "missing" }
        guard let store = try? RunStore.open(at: directory, readOnly: true) else { return "unreadable" }
        defer { store.close() }
        return (try? store.readStatus())?["state"] ?? "new"
    }
}

extension ExperimentGrid.SearchSetup {
    /// The cell's search settings checked as `search` checks its flags (a usage error, exit 64).
    func validateAsFlags() throws {
        switch self {
        case .image(let c): try c.validateAsFlags()
        case .text(let c): try c.validateAsFlags()
        }
    }
}
