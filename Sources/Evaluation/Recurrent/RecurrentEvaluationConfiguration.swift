// Every setting of a recurrent evaluation (SPEC §7, "Evaluation of a recurrent genotype"; DARTS's
// rnn train.py where SPEC is silent) with named profiles. Stored as JSON in run.json.

import TextData
import Training

public struct RecurrentEvaluationConfiguration: Codable, Sendable, Equatable {
    /// The genotype in DARTS syntax (`Genotype(recurrent=[…], concat=range(1, 9))`) and its source.
    public var genotype: String = ""
    public var source = EvaluationSource()
    // Data
    public var dataDirectory: String? = nil
    public var layout: TextCorpus.Layout = .standard
    /// Only the first N tokens of a split (nil: all): the small profiles.
    public var trainTokens: Int? = nil
    public var validTokens: Int? = nil
    public var testTokens: Int? = nil
    public var seed: UInt64 = 101
    // Network: emsize = nhid (the tied decoder).
    public var hiddenSize: Int = 850
    public var initRange: Double = 0.04
    public var dropouts = RecurrentDropouts()
    // Loop
    public var epochs: Int = 1200
    public var batchSize: Int = 64
    public var bptt: Int = 35
    public var validationBatchSize: Int = EvaluationSequences.validationColumns
    public var testBatchSize: Int = EvaluationSequences.testColumns
    // Optimiser: SGD lr·ℓ/bptt, then averaged SGD (AveragedSGDSwitch).
    public var learningRate: Double = 20
    public var weightDecay: Double = 8e-7
    public var gradientClip: Double = 0.25
    /// DARTS's `--beta` (TAR) and `--alpha` (AR, 0 in DARTS).
    public var tar: Double = 1e-3
    public var ar: Double = 0
    public var nonmono: Int = 5
    public var asgdEpoch: Int? = nil
    // Storage
    public var keepLast: Int = 3
    public var keepEvery: Int = 50
    public var profile: EvaluationProfile = .paper

    public init() {}

    public static func preset(_ profile: EvaluationProfile) -> RecurrentEvaluationConfiguration {
        var c = RecurrentEvaluationConfiguration()
        c.profile = profile
        switch profile {
        case .paper:
            break  // SPEC §7 sizes, 1200 epochs (the DARTS-PRIME paper; DARTS ran 8000)
        case .cpu:
            // About two hours on 2 cores: ≈ 1.2 s per iteration measured (a shared 2-core machine),
            // 178 iterations per epoch, plus ≈ 30 s for the validation pass, × 30 epochs.
            c.hiddenSize = 200; c.batchSize = 32; c.epochs = 30; c.trainTokens = 200_000
        case .demo:
            c.hiddenSize = 64; c.batchSize = 16; c.epochs = 3
            c.trainTokens = 20_000; c.validTokens = 5000; c.testTokens = 2000
        case .tiny:
            c.hiddenSize = 16; c.batchSize = 8; c.bptt = 10; c.epochs = 2
            c.trainTokens = 1600; c.validTokens = 800; c.testTokens = 300
            c.keepLast = 2; c.keepEvery = 5
        }
        return c
    }

    /// Checks every setting a user can get wrong; the message names the flag.
    public func validate() throws {
        typealias C = SettingChecks
        try C.atLeast("--nhid", hiddenSize, 1)
        try C.atLeast("--epochs", epochs, 1)
        try C.atLeast("--batch-size", batchSize, 1)
        try C.atLeast("--bptt", bptt, 2, why: " (its short length is bptt/2)")
        try C.atLeast("--eval-batch-size", validationBatchSize, 1)
        try C.atLeast("--test-batch-size", testBatchSize, 1)
        for (flag, v) in [("--train-tokens", trainTokens), ("--valid-tokens", validTokens), ("--test-tokens", testTokens)] {
            if let v { try C.atLeast(flag, v, 2) }
        }
        try C.positive("--init-range", initRange)
        for (flag, p) in [("--dropout", dropouts.output), ("--dropouth", dropouts.hidden), ("--dropoutx", dropouts.input),
                          ("--dropouti", dropouts.embedding), ("--dropoute", dropouts.words)] {
            try C.unitHalfOpen(flag, p)
        }
        try C.weightOptimizer(lr: learningRate, lrMin: 0, momentum: 0, weightDecay: weightDecay, clip: gradientClip)
        try C.nonNegative("--tar", tar)
        try C.nonNegative("--ar", ar)
        try C.atLeast("--nonmono", nonmono, 1)
        if let e = asgdEpoch { try C.atLeast("--asgd-epoch", e, 1) }
        try C.retention(keepLast: keepLast, keepEvery: keepEvery)
    }
}
