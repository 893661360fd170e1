// `dartsprime experiment`: the methods × seeds × datasets grid of searches (and evaluations) in
// one directory, run as a local queue or as Slurm job arrays (`--backend slurm`), one task alone
// (`--task N`, what a scheduler's array task runs), listed (`--list-tasks`) or summarised
// (`--collect`). Layout: docs/FORMAT.md §12.

import ArgumentParser
import Foundation
import Analysis
import Evaluation
import ImageData
import Search
import TextData
import Training

struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run a grid of methods × seeds × datasets (searches, optionally evaluations) and summarise it.",
        discussion: """
        The grid is recorded in DIR/experiment.json when the experiment starts; later calls read it \
        (grid flags, when given, must match it). Without a mode flag the tasks run in order as a local \
        queue, each in a child process: finished runs are skipped, interrupted ones resumed, a failed \
        one reported and the rest continued (exit 1 at the end); SIGINT/SIGTERM/SIGHUP let the run in \
        progress commit, then exit 75 (run the same command again to continue). Then DIR/summary.md \
        and DIR/summary.csv are written and the table printed. --task N runs task N alone (start, \
        resume, or exit 0 at once when finished); --list-tasks prints the task list; --collect only \
        summarises what exists and lists the runs not counted. --dataset ptb cells run the recurrent \
        search and evaluation (--ptb-layout valid-as-train without ptb.train.txt) and report perplexity. \
        --backend slurm writes the grid as \
        Slurm job arrays, DIR/slurm/search.sbatch and evaluation.sbatch, and prints the sbatch \
        commands; with --submit it submits them and records the job ids in DIR/slurm/jobs.json, \
        which --collect then asks squeue (and sacct) about (docs/CLUSTER.md).
        """)

    @Option(help: "Experiment directory: experiment.json, DATASET/METHOD/seed-SEED/{search,evaluation}, summary.md/csv.")
    var dir: String
    @Option(help: "Comma-separated search methods, e.g. darts,prime (defines the grid).") var methods: String?
    @Option(help: "Comma-separated seeds (default 101,102,103,104).") var seeds: String?
    @Option(help: "Comma-separated datasets: cifar10, cifar100, fashion-mnist, ptb (default: the profile's).") var dataset: String?
    @Option(help: "Folder holding the data (one dataset only; default: the dataset's usual place).") var data: String?
    @Option(name: .customLong("ptb-layout"), help: "Penn Treebank files: standard (ptb.train.txt trains) or valid-as-train (ptb.valid.txt trains, ptb.test.txt validates).")
    var ptbLayout: TextCorpus.Layout?
    @Option(help: "Search profile: paper, cpu, demo, tiny (default paper).") var profile: SearchProfile?
    @Flag(help: "Evaluate each cell's genotype after its search.") var evaluate = false
    @Option(name: .customLong("eval-profile"), help: "Evaluation profile with --evaluate: paper, cpu, demo, tiny (default paper).")
    var evalProfile: EvaluationProfile?

    @Option(parsing: .unconditional, help: "Run only task N of DIR/experiment.json (see --list-tasks).") var task: Int?
    @Flag(name: .customLong("list-tasks"), help: "Print the task list: index, kind, dataset, method, seed, run directory, dependency.")
    var listTasks = false
    @Flag(help: "Only summarise the runs that exist; list the missing, failed and running ones.") var collect = false
    @Option(help: "Output of --list-tasks: text or json.") var format: ReportFormat = .text
    @OptionGroup(title: "Slurm") var slurm: SlurmOptions

    func validate() throws {
        if [task != nil, listTasks, collect].filter({ $0 }).count > 1 {
            throw ValidationError("experiment: give at most one of --task, --list-tasks and --collect")
        }
        if let t = task, t < 0 { throw ValidationError("--task must be a task index ≥ 0, got \(t)") }
        if slurm.backend == .slurm, let mode = [task.map { _ in "--task" }, listTasks ? "--list-tasks" : nil, collect ? "--collect" : nil].compactMap({ $0 }).first {
            throw ValidationError("--backend slurm writes (and submits) the grid's job arrays; it does not go with \(mode)")
        }
        if evalProfile != nil && !evaluate { throw ValidationError("--eval-profile needs --evaluate") }
        if methods == nil, seeds != nil || dataset != nil || data != nil || ptbLayout != nil || profile != nil || evaluate {
            throw ValidationError("experiment: grid flags (--seeds, --dataset, --data, --ptb-layout, --profile, --evaluate) need --methods; without them the grid is read from DIR/experiment.json")
        }
        _ = try requestedGrid()
    }

    /// The grid the flags define, nil without --methods.
    func requestedGrid() throws -> ExperimentGrid? {
        guard let methods else { return nil }
        let methodList = try Self.list(methods, flag: "--methods") { $0 }
        let seedList = try seeds.map { try Self.list($0, flag: "--seeds") { UInt64($0) } } ?? ExperimentGrid.defaultSeeds
        let profile = profile ?? .paper
        let datasets = try dataset.map { try Self.list($0, flag: "--dataset") { ExperimentDataset(rawValue: $0) } }
            ?? [ExperimentDataset(SearchConfiguration.preset(profile).dataset)]
        var folders: [String: String] = [:]
        if let data {
            guard datasets.count == 1 else { throw ValidationError("--data names one dataset's folder; give one --dataset with it") }
            folders[datasets[0].rawValue] = URL(fileURLWithPath: data).standardizedFileURL.path
        }
        if ptbLayout != nil && !datasets.contains(.ptb) {
            throw ValidationError("--ptb-layout chooses the Penn Treebank files; it needs --dataset ptb")
        }
        return ExperimentGrid(methods: methodList, seeds: seedList, datasets: datasets, data: folders, ptbLayout: ptbLayout,
                              profile: profile, evaluate: evaluate, evaluationProfile: evalProfile)
    }

    /// `a,b,c` as distinct values, each parsed by `parse`; a bad or repeated one names the flag.
    static func list<T: Hashable>(_ text: String, flag: String, _ parse: (String) -> T?) throws -> [T] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var values: [T] = []
        for item in items {
            guard !item.isEmpty, let v = parse(item) else { throw ValidationError("\(flag): '\(item)' is not a valid value (in '\(text)')") }
            if values.contains(v) { throw ValidationError("\(flag): '\(item)' is given twice") }
            values.append(v)
        }
        return values
    }

    func run() throws {
        let layout = ExperimentLayout(root: URL(fileURLWithPath: dir))
        let requested = try requestedGrid()
        let stored = try ExperimentManifest.read(layout)
        if let stored, let requested, stored.grid != requested {
            throw ValidationError(ExperimentError.otherGrid(path: layout.manifest.path, differences: stored.grid.differences(to: requested)).description)
        }
        guard let grid = stored?.grid ?? requested else {
            throw RuntimeFailure(ExperimentError.noManifest(path: layout.manifest.path).description)
        }
        if listTasks { return try ExperimentReport.printTasks(grid, layout: layout, format: format) }
        if collect { try ExperimentReport.summarise(grid, layout: layout); return }
        if let task {
            guard stored != nil else { throw RuntimeFailure(ExperimentError.noManifest(path: layout.manifest.path).description) }
            let tasks = grid.tasks
            guard task < tasks.count else {
                throw ValidationError("--task \(task): the experiment in \(layout.root.path) has tasks 0…\(tasks.count - 1)")
            }
            try ChildProcess.stopWithQueueParent()
            return try ExperimentTaskRunner.run(tasks[task], grid: grid, layout: layout)
        }
        if slurm.backend == .slurm { return try runOnSlurm(grid, layout: layout, created: stored == nil) }
        if stored == nil { try Self.create(grid, layout: layout) }
        try ExperimentQueue(grid: grid, layout: layout).run()
    }

    /// `--backend slurm`: everything checked first (nothing written on a refusal), then the grid
    /// recorded (a new one) or its state reported (a rerun), then the arrays written and submitted.
    func runOnSlurm(_ grid: ExperimentGrid, layout: ExperimentLayout, created: Bool) throws {
        let backend = try ExperimentSlurmBackend(grid: grid, layout: layout, settings: try slurm.settings(), submit: slurm.submit)
        let status = created ? nil : ExperimentSlurmStatus.query(layout)
        let sbatch = try backend.check(status)
        if created { try Self.create(grid, layout: layout) } else { try ExperimentReport.summarise(grid, layout: layout, slurm: status) }
        try backend.run(sbatch: sbatch)
    }

    /// Checks every cell's search configuration (a bad method or size: exit 64, nothing written)
    /// and that the Penn Treebank files its layout reads are there, then records the grid in
    /// DIR/experiment.json.
    static func create(_ grid: ExperimentGrid, layout: ExperimentLayout) throws {
        if FileManager.default.fileExists(atPath: layout.root.appendingPathComponent("run.json").path) {
            throw RuntimeFailure("\(layout.root.path) is a run directory, not an experiment directory; choose another --dir")
        }
        for cell in grid.cells {
            do { try grid.search(cell).validateAsFlags() } catch let error as ValidationError {
                // The search's flag is --method; here the methods come from --methods.
                let message = error.message.hasPrefix("--method:") ? "--methods" + error.message.dropFirst("--method".count) : error.message
                throw ValidationError("experiment cell \(cell.path): \(message)")
            }
            if case .text(let c) = grid.search(cell) {
                try TextCorpus.checkFilesPresent(directory: URL(fileURLWithPath: c.dataDirectory ?? RecurrentSearchRunConfiguration.defaultDirectory),
                                                 layout: c.layout)
            }
        }
        try ExperimentManifest(grid: grid, command: Array(CommandLine.arguments.dropFirst())).write(to: layout)
    }
}
