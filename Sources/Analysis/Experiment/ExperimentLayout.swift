// Where an experiment keeps its files under `--dir DIR` (docs/FORMAT.md §12), and
// DIR/experiment.json: the grid, the command that created it and the task list, written once.

import Foundation
import RunStore

public struct ExperimentLayout: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public var manifest: URL { root.appendingPathComponent("experiment.json") }
    public var summaryMarkdown: URL { root.appendingPathComponent("summary.md") }
    public var summaryCSV: URL { root.appendingPathComponent("summary.csv") }

    /// The run directory of `task`: DIR/DATASET/METHOD/seed-SEED/{search,evaluation}.
    public func directory(of task: ExperimentTask) -> URL { root.appendingPathComponent(task.path) }

    /// DIR/slurm (`--backend slurm`): the job scripts, the tasks' logs and jobs.json.
    public var slurmDirectory: URL { root.appendingPathComponent("slurm") }
    /// DIR/slurm/search.sbatch or evaluation.sbatch, the job array of one kind of task.
    public func slurmScript(_ kind: ExperimentTask.Kind) -> URL { slurmDirectory.appendingPathComponent("\(kind.rawValue).sbatch") }
    /// DIR/slurm/jobs.json: the job arrays submitted (`--submit`).
    public var slurmJobs: URL { slurmDirectory.appendingPathComponent("jobs.json") }
}

/// DIR/experiment.json as stored.
public struct ExperimentManifest: Codable, Sendable {
    public static let format = "dartsprime-experiment"

    public var format: String
    public var version: Int
    public var grid: ExperimentGrid
    /// The arguments of the command that created the experiment (for the record; never re-read).
    public var command: [String]
    public var tasks: [TaskEntry]

    /// A task as a scheduler reads it: index, kind, cell and run directory (relative to DIR).
    public struct TaskEntry: Codable, Equatable, Sendable {
        public var index: Int
        public var kind: ExperimentTask.Kind
        public var dataset: String
        public var method: String
        public var seed: UInt64
        public var run: String
        public var dependsOn: Int?

        enum CodingKeys: String, CodingKey { case index, kind, dataset, method, seed, run, dependsOn = "depends_on" }

        public init(_ t: ExperimentTask) {
            index = t.index; kind = t.kind; dataset = t.cell.dataset.rawValue; method = t.cell.method
            seed = t.cell.seed; run = t.path; dependsOn = t.dependsOn
        }
    }

    public init(grid: ExperimentGrid, command: [String]) {
        format = Self.format
        version = 1
        self.grid = grid
        self.command = command
        tasks = grid.tasks.map(TaskEntry.init)
    }

    /// The manifest in `layout`, or nil when there is none; an unreadable one names the file.
    public static func read(_ layout: ExperimentLayout) throws -> ExperimentManifest? {
        let url = layout.manifest
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ExperimentError.unreadable(path: url.path, reason: "cannot be read")
        }
        let manifest: ExperimentManifest
        do { manifest = try JSONDecoder().decode(ExperimentManifest.self, from: data) } catch {
            throw ExperimentError.unreadable(path: url.path, reason: "is not an experiment manifest (\(error))")
        }
        guard manifest.format == format, manifest.version == 1 else {
            throw ExperimentError.unreadable(path: url.path, reason: "has format \(manifest.format) version \(manifest.version); this build reads \(format) version 1")
        }
        return manifest
    }

    /// Writes the manifest into `layout` (creating DIR), refusing one that appeared meanwhile.
    public func write(to layout: ExperimentLayout) throws {
        try FileManager.default.createDirectory(at: layout.root, withIntermediateDirectories: true)
        let sink = try AtomicFileSink(url: layout.manifest, replace: false)
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        try sink.write(String(decoding: try e.encode(self), as: UTF8.self) + "\n")
        try sink.commit()
    }
}

/// What is wrong with an experiment directory, in one line naming the file.
public enum ExperimentError: Error, CustomStringConvertible, Equatable, Sendable {
    case unreadable(path: String, reason: String)
    case otherGrid(path: String, differences: [FieldDifference])
    case noManifest(path: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "\(path) \(reason)"
        case let .otherGrid(path, differences):
            return "\(path) records another grid (\(differences.map(\.description).joined(separator: "; "))); "
                + "rerun with the recorded grid or choose another --dir"
        case let .noManifest(path):
            return "\(path) not found: start the experiment first (dartsprime experiment --dir DIR --methods …)"
        }
    }
}
