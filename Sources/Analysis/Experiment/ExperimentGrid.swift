// The experiment grid as a value: methods × seeds × datasets at a search profile, each cell's
// search optionally followed by its evaluation (CNN runs for image datasets, recurrent runs for
// Penn Treebank). Its task list (docs/FORMAT.md §12) is what a
// local queue runs in order and what a scheduler's job array indexes: searches first, then
// the evaluations, each depending on its cell's search.

import Foundation
import Evaluation
import ImageData
import RunStore
import Search
import TextData

public struct ExperimentGrid: Codable, Equatable, Sendable {
    public var methods: [String]
    public var seeds: [UInt64]
    public var datasets: [ExperimentDataset]
    /// Data folder per dataset (absolute); a dataset without one reads its usual place.
    public var data: [String: String]
    /// Which Penn Treebank files train and validate (`--ptb-layout`); nil: the standard three.
    public var ptbLayout: TextCorpus.Layout?
    public var profile: SearchProfile
    public var evaluate: Bool
    /// The evaluation profile; nil when the grid is not evaluated.
    public var evaluationProfile: EvaluationProfile?

    public static let defaultSeeds: [UInt64] = [101, 102, 103, 104]

    public init(methods: [String], seeds: [UInt64] = ExperimentGrid.defaultSeeds, datasets: [ExperimentDataset], data: [String: String] = [:],
                ptbLayout: TextCorpus.Layout? = nil, profile: SearchProfile, evaluate: Bool = false,
                evaluationProfile: EvaluationProfile? = nil) {
        self.methods = methods
        self.seeds = seeds
        self.datasets = datasets
        self.data = data
        self.ptbLayout = ptbLayout
        self.profile = profile
        self.evaluate = evaluate
        self.evaluationProfile = evaluate ? (evaluationProfile ?? .paper) : nil
    }

    /// One (dataset, method, seed) of the grid, in task order.
    public struct Cell: Equatable, Hashable, Sendable {
        public var dataset: ExperimentDataset
        public var method: String
        public var seed: UInt64
        /// `DATASET/METHOD/seed-SEED`, relative to the experiment directory.
        public var path: String { "\(dataset.rawValue)/\(method)/seed-\(seed)" }
    }

    /// Datasets, then methods, then seeds, as given.
    public var cells: [Cell] {
        datasets.flatMap { d in methods.flatMap { m in seeds.map { Cell(dataset: d, method: m, seed: $0) } } }
    }

    /// Every run of the grid: the searches (0 ..< cells), then the evaluations in the same cell order.
    public var tasks: [ExperimentTask] {
        let cells = self.cells
        var tasks = cells.enumerated().map { i, cell in
            ExperimentTask(index: i, kind: .search, cell: cell, dependsOn: nil)
        }
        if evaluate {
            tasks += cells.enumerated().map { i, cell in
                ExperimentTask(index: cells.count + i, kind: .evaluation, cell: cell, dependsOn: i)
            }
        }
        return tasks
    }

    /// The grid's fields as text, for naming what differs from another grid.
    public var fields: [String: String] {
        var f = ["methods": methods.joined(separator: ","), "seeds": seeds.map(String.init).joined(separator: ","),
                 "datasets": datasets.map(\.rawValue).joined(separator: ","), "profile": profile.rawValue,
                 "evaluate": String(evaluate)]
        for (dataset, folder) in data { f["data[\(dataset)]"] = folder }
        if let l = ptbLayout { f["ptbLayout"] = l.rawValue }
        if let p = evaluationProfile { f["evaluationProfile"] = p.rawValue }
        return f
    }

    /// The fields that differ from `other` (`seeds: 101,102 → 101`), empty when the grids are equal.
    public func differences(to other: ExperimentGrid) -> [FieldDifference] {
        FieldDifferences.of(fields, other.fields)
    }
}

/// One run of the grid: a search, or the evaluation of its cell's search (`dependsOn`).
public struct ExperimentTask: Equatable, Sendable {
    public enum Kind: String, Codable, Sendable { case search, evaluation }

    public var index: Int
    public var kind: Kind
    public var cell: ExperimentGrid.Cell
    /// The index of the task that must finish first (an evaluation's search).
    public var dependsOn: Int?

    /// The run directory, relative to the experiment directory.
    public var path: String { "\(cell.path)/\(kind.rawValue)" }
    /// `search fashion-mnist/darts/seed-101`.
    public var label: String { "\(kind.rawValue) \(cell.path)" }
}
