// `search --dataset ptb`: the text search's configuration from the same option groups as the
// CNN search (the flags both have mean the same), the Text group, and a one-line refusal of
// every flag that only a CNN search has.

import ArgumentParser
import Foundation
import Search

extension SearchCommand {
    /// The flags given that only a CNN search reads.
    var imageOnlyFlags: [String] {
        let w = optimizers.weights
        return [(data.subset != nil, "--subset"), (data.augment != nil, "--augment/--no-augment"),
                (network.initChannels != nil, "--init-channels"), (network.layers != nil, "--layers"),
                (w.learningRateMin != nil, "--lr-min"), (w.momentum != nil, "--momentum"),
                (schedule.trainFraction != nil, "--train-fraction")].filter(\.0).map(\.1)
    }

    /// The ptb profile's preset with every given flag applied.
    func makeTextConfiguration() -> RecurrentSearchRunConfiguration {
        var c = RecurrentSearchRunConfiguration.preset(profile.profile)
        if let v = data.data { c.dataDirectory = URL(fileURLWithPath: v).standardizedFileURL.path }
        if let v = method.method { c.method = v }
        if let v = method.seed { c.seed = v }
        if let v = batch.batchSize { c.batchSize = v }
        let w = optimizers.weights
        if let v = w.learningRate { c.learningRate = v }
        if let v = w.weightDecay { c.weightDecay = v }
        if let v = w.gradClip { c.gradientClip = v }
        if let v = optimizers.archLearningRate { c.archLearningRate = v }
        if let v = optimizers.archBeta1 { c.archBeta1 = v }
        if let v = optimizers.archBeta2 { c.archBeta2 = v }
        if let v = optimizers.archEpsilon { c.archEpsilon = v }
        if let v = optimizers.archWeightDecay { c.archWeightDecay = v }
        if let v = optimizers.secondOrder { c.secondOrder = v }
        if let v = schedule.epochs { c.epochs = v }
        if let v = schedule.evaluationBatchSize { c.evaluationBatchSize = v }
        if let v = schedule.stepRatio { c.stepRatio = v }
        if let v = schedule.tau0 { c.fimtTau0 = v }
        if let v = schedule.gammaInc { c.fimtGammaIncrease = v }
        if let v = schedule.fimtBeta { c.fimtBeta = v }
        if let v = regularizers.rho { c.rho = v }
        if let v = regularizers.admmFrequency { c.admmFrequency = v }
        if let v = regularizers.admmDiscount { c.admmDiscount = v }
        storage.applySettings(to: &c)
        text.apply(to: &c)
        return c
    }

    /// Usage errors (exit 64, one line) of a text search's flags.
    func validateText() throws {
        if let flag = imageOnlyFlags.first {
            throw ValidationError("\(flag) is a CNN search setting; --dataset ptb does not take it")
        }
        try makeTextConfiguration().validateAsFlags()
    }
}

extension RecurrentSearchRunConfiguration: StorageSettings {}
