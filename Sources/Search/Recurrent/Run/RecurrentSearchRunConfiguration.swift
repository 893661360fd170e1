// Every setting of a Penn Treebank search (SPEC §7), with the paper's defaults and the named
// profiles. Stored as JSON in run.json; `resume` rebuilds the search from it.

import Foundation
import TextData
import Training

public struct RecurrentSearchRunConfiguration: Codable, Sendable, Equatable {
    // Data
    public var dataDirectory: String? = nil
    /// Which files train and validate (`--ptb-layout`); nothing falls back silently.
    public var layout: TextCorpus.Layout = .standard
    /// Use only the first N tokens of the train and of the valid split (nil: all; `--tokens`).
    public var tokens: Int? = nil
    // Method and seed
    public var method: String = "darts"
    public var seed: UInt64 = 101
    // Network: emsize = nhid (the decoder is tied to the embedding).
    public var hiddenSize: Int = 300
    // Loop
    public var epochs: Int = 50
    public var batchSize: Int = 256
    public var bptt: Int = 35
    public var evaluationBatchSize: Int = EvaluationSequences.validationColumns
    /// The batch-norm statistics of the epoch-end validation (`--validation-statistics`).
    public var validationStatistics: ValidationStatistics = .running
    // Weight optimiser: plain SGD, lr scaled by ℓ/bptt each step.
    public var learningRate: Double = 20
    public var weightDecay: Double = 5e-7
    public var gradientClip: Double = 0.25
    /// Dropout probabilities of the four masks (SPEC §7: x 0.75, h 0.25, embedding 0.2, output 0.75).
    public var dropoutX: Double = 0.75
    public var dropoutH: Double = 0.25
    public var dropoutInput: Double = 0.2
    public var dropoutOutput: Double = 0.75
    /// Temporal activation regularisation on the weight step.
    public var tarCoefficient: Double = 1e-3
    // Architecture optimiser
    public var archLearningRate: Double = 3e-3
    public var archBeta1: Double = 0.9
    public var archBeta2: Double = 0.999
    public var archEpsilon: Double = 1e-8
    public var archWeightDecay: Double = 1e-3
    /// DARTS's unrolled α gradient (`--second-order`; RecurrentUnrolledGradient.swift).
    public var secondOrder: Bool = false
    // Schedules
    public var stepRatio: Int = 10
    public var fimtTau0: Double = 1.0
    public var fimtGammaIncrease: Double = 1.05
    public var fimtBeta: Double = 0.2
    // Regularisers
    public var rho: Double = 0.1
    public var admmFrequency: Int = 10
    public var admmDiscount: Double = 1.0
    // Storage
    public var keepLast: Int = 3
    public var keepEvery: Int = 50
    public var profile: SearchProfile = .paper

    public init() {}

    /// Where the corpus is read from when `--data` is not given.
    public static let defaultDirectory = "data/ptb"

    /// The preset `profile` (paper = SPEC §7).
    public static func preset(_ profile: SearchProfile) -> RecurrentSearchRunConfiguration {
        var c = RecurrentSearchRunConfiguration()
        c.profile = profile
        switch profile {
        case .paper:
            break
        case .cpu:
            // About 1–2 h on 2 cores: a quarter-size model on 200k training tokens.
            c.hiddenSize = 64; c.batchSize = 64; c.epochs = 10; c.tokens = 200_000; c.keepEvery = 100
        case .demo:
            // A few minutes on 2 cores.
            c.hiddenSize = 32; c.batchSize = 32; c.bptt = 20; c.epochs = 3; c.tokens = 30_000
        case .tiny:
            // Seconds: a handful of steps per epoch.
            c.hiddenSize = 16; c.batchSize = 16; c.bptt = 10; c.epochs = 2; c.tokens = 2000
            c.keepLast = 2; c.keepEvery = 5
        }
        return c
    }

    /// The masks' keep probabilities, 1 − each dropout.
    public var maskSampler: RecurrentMaskSampler {
        RecurrentMaskSampler(keepX: 1 - dropoutX, keepH: 1 - dropoutH, keepInput: 1 - dropoutInput, keepOutput: 1 - dropoutOutput)
    }

    /// The parsed method; CNN-only variants are refused by `validate()`.
    public var methodSpec: MethodSpec { get throws { try MethodSpec.parse(method) } }

    /// Checks every setting (SPEC §7 gives the ranges); the message names the flag.
    public func validate() throws {
        typealias C = SettingChecks
        try C.atLeast("--nhid", hiddenSize, 1)
        try C.atLeast("--epochs", epochs, 1)
        try C.atLeast("--batch-size", batchSize, 1)
        try C.atLeast("--bptt", bptt, 2, why: " (the short length is ⌊bptt/2⌋)")
        try C.atLeast("--eval-batch-size", evaluationBatchSize, 1)
        if validationStatistics == .batch && evaluationBatchSize < 2 {
            throw TrainingError.invalidConfiguration(
                "--validation-statistics batch needs --eval-batch-size of at least 2 (one sequence has no batch variance)")
        }
        if let t = tokens { try C.atLeast("--tokens", t, 2) }
        try C.unitHalfOpen("--dropout-x", dropoutX)
        try C.unitHalfOpen("--dropout-h", dropoutH)
        try C.unitHalfOpen("--dropout-input", dropoutInput)
        try C.unitHalfOpen("--dropout-output", dropoutOutput)
        try C.positive("--lr", learningRate)
        try C.nonNegative("--weight-decay", weightDecay)
        try C.positive("--grad-clip", gradientClip)
        try C.nonNegative("--tar", tarCoefficient)
        try C.positive("--arch-lr", archLearningRate)
        try C.unitHalfOpen("--arch-beta1", archBeta1)
        try C.unitHalfOpen("--arch-beta2", archBeta2)
        try C.positive("--arch-eps", archEpsilon)
        try C.nonNegative("--arch-weight-decay", archWeightDecay)
        try C.atLeast("--step-ratio", stepRatio, 1)
        try C.positive("--tau0", fimtTau0)
        try C.atLeast("--gamma-inc", fimtGammaIncrease, 1)
        try C.unitOpenClosed("--fimt-beta", fimtBeta)
        try C.nonNegative("--rho", rho)
        try C.atLeast("--admm-freq", admmFrequency, 1)
        try C.unitClosed("--admm-discount", admmDiscount)
        try C.retention(keepLast: keepLast, keepEvery: keepEvery)
        _ = try methodSpec
        if method.lowercased().split(separator: "+").contains(where: { $0 == "split" || $0 == "halfsplit" }) {
            throw TrainingError.invalidConfiguration(
                "--method \(method): +split/+halfsplit choose a CNN train/α split; a ptb search takes its α batches from the valid split")
        }
    }
}
