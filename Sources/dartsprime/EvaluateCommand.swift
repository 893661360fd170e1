// `dartsprime evaluate`: train a genotype's network from scratch (SPEC §6) and report its test
// error. The genotype comes from a search run's step (by replay) or from a text.

import ArgumentParser
import Foundation
import Analysis
import Evaluation
import ImageData
import RunStore
import Training

extension EvaluationProfile: ExpressibleByArgument {}

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Train a discovered cell from scratch and report its test error (SPEC §6) or, with --dataset ptb, its perplexity (SPEC §7).",
        discussion: """
        The genotype: RUN [--step N] replays a search's step (default: its newest), or --genotype TEXT / \
        --genotype-file FILE (DARTS syntax, e.g. DARTS_V2). Every constant of SPEC §6 has a flag; flags \
        override the profile. The evaluation is a run directory like a search's: every step committed, \
        `resume`, forks, `verify` and `export history` work on it; SIGINT/SIGTERM commit and exit 75. \
        The last line on stdout gives test error, parameters (M, without the auxiliary head) and wall \
        time; RUN/evaluation.json keeps them with the genotype's provenance. With --dataset ptb and a \
        recurrent genotype (Genotype(recurrent=[…], concat=range(1, 9))) it trains the fixed cell of SPEC §7 \
        (DARTS's rnn train.py: dropouts, TAR, SGD lr 20·ℓ/bptt, averaged SGD after --nonmono epochs without \
        improvement) and the last line gives valid_ppl, test_ppl, params_m and wall_s.
        """)

    @Argument(help: "A search run whose genotype to evaluate.") var sourceRun: String?
    @Option(parsing: .unconditional, help: "The search step to replay (default: its newest).") var step: Int?
    @Option(help: "A genotype in DARTS syntax.") var genotype: String?
    @Option(name: .customLong("genotype-file"), help: "A file holding a genotype in DARTS syntax.") var genotypeFile: String?

    @OptionGroup var runDirectory: RunDirectoryOptions
    @OptionGroup var limit: StepLimitOptions
    @Option(help: "Preset: paper (C 36, L 20, 600 epochs, batch 96), cpu (~2 h on 2 cores), demo (minutes), tiny (seconds).")
    var profile: EvaluationProfile = .paper
    @OptionGroup(title: "Data") var data: EvaluationDataOptions
    @Option(name: .customLong("test-subset"), parsing: .unconditional, help: "Test on the first N test images only.") var testSubset: Int?
    @Option(parsing: .unconditional, help: "Cutout square side (16; 0: none).") var cutout: Int?
    @Option(parsing: .unconditional, help: "Random seed (weights, batch order, augmentation, drop path).") var seed: UInt64?
    @OptionGroup(title: "Network") var network: NetworkOptions
    @Option(name: .customLong("drop-path"), parsing: .unconditional, help: "Final drop-path probability, ramped 0 → p over the epochs (0.2).") var dropPath: Double?
    @Flag(inversion: .prefixedNo, help: "Auxiliary head after cell ⌊2L/3⌋ (default: on).") var auxiliary: Bool?
    @Option(name: .customLong("auxiliary-weight"), parsing: .unconditional, help: "Weight of the auxiliary loss (0.4).") var auxiliaryWeight: Double?
    @OptionGroup(title: "Batches") var batch: BatchOptions
    @Option(parsing: .unconditional, help: "Training epochs (600).") var epochs: Int?
    @Option(name: .customLong("eval-batch-size"), parsing: .unconditional, help: "Batch size of the test passes (256).") var evaluationBatchSize: Int?
    @OptionGroup(title: "Optimiser") var optimizer: WeightOptimizerOptions
    @OptionGroup(title: "Storage") var storage: StorageOptions
    @OptionGroup(title: "Penn Treebank (--dataset ptb)") var text: TextEvaluationOptions

    func validate() throws {
        let sources = [sourceRun != nil, genotype != nil, genotypeFile != nil].filter { $0 }.count
        if sources != 1 { throw ValidationError("evaluate: give exactly one of RUN, --genotype and --genotype-file") }
        if step != nil && sourceRun == nil { throw ValidationError("evaluate: --step needs a search RUN") }
        if let s = step, s < 0 { throw ValidationError("evaluate: --step must be a step number ≥ 0, got \(s)") }
        try validateDatasetFlags()
    }

    /// The profile with every given flag applied, and the genotype with its provenance.
    func makeConfiguration() throws -> EvaluationRunConfiguration {
        var c = EvaluationRunConfiguration.preset(profile)
        try chooseGenotype(into: &c)
        data.applySettings(to: &c)
        network.applySettings(to: &c)
        batch.applySettings(to: &c)
        optimizer.applySettings(to: &c)
        storage.applySettings(to: &c)
        if let v = testSubset { c.testSubset = v }
        if let v = cutout { c.cutout = v }
        if let v = seed { c.seed = v }
        if let v = dropPath { c.dropPath = v }
        if let v = auxiliary { c.auxiliary = v }
        if let v = auxiliaryWeight { c.auxiliaryWeight = v }
        if let v = epochs { c.epochs = v }
        if let v = evaluationBatchSize { c.evaluationBatchSize = v }
        try c.validateAsFlags()
        return c
    }

    /// The genotype text of `file` and its provenance.
    static func readGenotypeFile(_ file: String) throws -> (String, EvaluationSource) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDir) else {
            throw RuntimeFailure("\(file): file not found (--genotype-file)")
        }
        if isDir.boolValue { throw RuntimeFailure("\(file): is a folder; --genotype-file needs a file holding a genotype") }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw RuntimeFailure("\(file): cannot be read (--genotype-file)")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return (text, EvaluationSource(text: text, file: URL(fileURLWithPath: file).standardizedFileURL.path))
    }

    func run() throws {
        if data.isText { return try runRecurrent() }
        let c = try makeConfiguration()
        let name = sourceRun.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "genotype"
        let directory = runDirectory.directory(default: "artifacts/runs/eval-\(name)-s\(c.seed)")
        try SearchLauncher.start(directory: directory, maxSteps: limit.maxSteps) { try CNNEvaluation(configuration: c) }
    }
}

extension EvaluateCommand {
    /// The genotype from RUN (replayed at --step), --genotype or --genotype-file, with its
    /// provenance; `validate` made sure exactly one is given.
    func chooseGenotype<C: GenotypeChoosing>(into c: inout C) throws {
        if let run = sourceRun {
            try c.takeGenotype(fromSearch: URL(fileURLWithPath: run), step: step)
        } else if let text = genotype {
            c.genotype = text
            c.source = EvaluationSource(text: text)
        } else if let file = genotypeFile {
            (c.genotype, c.source) = try Self.readGenotypeFile(file)
        }
    }
}
