// `dartsprime evaluate --dataset ptb`: train a recurrent genotype's cell from scratch (SPEC §7,
// DARTS's rnn train.py) and report validation and test perplexity.

import ArgumentParser
import Foundation
import Evaluation
import RunStore
import Training

extension RecurrentEvaluationConfiguration: BatchSettings, StorageSettings {}

extension EvaluateCommand {
    /// Flags of one domain given for the other are refused (they would silently do nothing).
    func validateDatasetFlags() throws {
        if data.isText {
            let imageOnly: [(String, Bool)] = [
                ("--subset", data.subset != nil), ("--augment", data.augment != nil), ("--test-subset", testSubset != nil),
                ("--cutout", cutout != nil), ("--drop-path", dropPath != nil), ("--auxiliary", auxiliary != nil),
                ("--auxiliary-weight", auxiliaryWeight != nil), ("--init-channels", network.initChannels != nil),
                ("--layers", network.layers != nil), ("--lr-min", optimizer.learningRateMin != nil),
                ("--momentum", optimizer.momentum != nil),
            ]
            if let flag = imageOnly.first(where: \.1)?.0 {
                throw ValidationError("evaluate: \(flag) applies to image datasets, not --dataset ptb")
            }
        } else if text.anyGiven || data.ptbLayout != nil {
            throw ValidationError("evaluate: the Penn Treebank flags (--nhid, --bptt, --ptb-layout, …) need --dataset ptb")
        }
    }

    /// The profile with every given flag applied, and the genotype with its provenance.
    func makeRecurrentConfiguration() throws -> RecurrentEvaluationConfiguration {
        var c = RecurrentEvaluationConfiguration.preset(profile)
        if let run = sourceRun {
            try Self.refuseRecurrentSource(run)
        } else if let text = genotype {
            c.genotype = text
            c.source = EvaluationSource(text: text)
        } else if let file = genotypeFile {
            (c.genotype, c.source) = try Self.readGenotypeFile(file)
        }
        c.dataDirectory = data.directory
        if let v = data.ptbLayout { c.layout = v }
        batch.applySettings(to: &c)
        storage.applySettings(to: &c)
        if let v = optimizer.learningRate { c.learningRate = v }
        if let v = optimizer.weightDecay { c.weightDecay = v }
        if let v = optimizer.gradClip { c.gradientClip = v }
        text.applySettings(to: &c)
        if let v = seed { c.seed = v }
        if let v = epochs { c.epochs = v }
        if let v = evaluationBatchSize { c.validationBatchSize = v }
        do { try c.validate() } catch { throw ValidationError("\(error)") }
        if c.dataDirectory == nil {
            throw ValidationError("evaluate: --dataset ptb needs --data DIR (the folder with ptb.valid.txt, ptb.test.txt and, for --ptb-layout standard, ptb.train.txt)")
        }
        return c
    }

    /// The hook for `evaluate RUN --dataset ptb`: the genotype of a recurrent search's step.
    /// No recurrent search kind exists in this build yet, so every run is refused in one line
    /// naming its kind; replay it here once one does.
    static func refuseRecurrentSource(_ run: String) throws -> Never {
        let store = try RunStore.open(at: URL(fileURLWithPath: run), readOnly: true)
        throw RuntimeFailure(
            "\(store.url.path) is a run of kind \(store.runKind), not a search on text; --dataset ptb evaluates a recurrent genotype given with --genotype or --genotype-file")
    }

    func runRecurrent() throws {
        let c = try makeRecurrentConfiguration()
        let directory = runDirectory.directory(default: "artifacts/runs/eval-ptb-s\(c.seed)")
        try RunStore.checkCreatable(at: directory)  // before the data is loaded
        SearchLauncher.installStopSignals(directory: directory)
        let started = Date()
        let evaluation = try RecurrentEvaluation(configuration: c)
        let outcome = try SearchLauncher.launcher.start(evaluation, directory: directory, maxSteps: limit.maxSteps,
                                                        progress: ProgressPrinter().report)
        try SearchLauncher.finish(outcome, directory: directory, started: started)
    }
}
