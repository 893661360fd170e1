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
        try chooseGenotype(into: &c)
        if let v = data.directory { c.dataDirectory = v }
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
        try c.validateAsFlags()
        if c.dataDirectory == nil {
            throw ValidationError("evaluate: --dataset ptb needs --data DIR (the folder with ptb.valid.txt, ptb.test.txt and, for --ptb-layout standard, ptb.train.txt)")
        }
        return c
    }

    func runRecurrent() throws {
        let c = try makeRecurrentConfiguration()
        let directory = runDirectory.directory(default: "artifacts/runs/eval-ptb-s\(c.seed)")
        try SearchLauncher.start(directory: directory, maxSteps: limit.maxSteps) { try RecurrentEvaluation(configuration: c) }
    }
}
