// Every setting of a CNN search, with the paper's defaults (SPEC §2–5) and named profiles.
//
// The configuration is stored as JSON in the run directory; `resume` rebuilds the search from it.

import ImageData
import Training

/// Named presets: `paper` is SPEC's defaults; the others scale the search down for 2-core CPUs.
public enum SearchProfile: String, Codable, CaseIterable, Sendable {
    case paper, cpu, demo, tiny
}

public struct SearchConfiguration: Codable, Sendable, Equatable {
    // Data
    public var dataset: DatasetKind = .cifar10
    public var dataDirectory: String? = nil
    /// Use only the first N training images (nil: all).
    public var subset: Int? = nil
    public var augment: Bool = true
    // Method and seed
    public var method: String = "darts"
    public var seed: UInt64 = 101
    // Network
    public var initChannels: Int = 16
    public var layers: Int = 8
    // Loop
    public var epochs: Int = 50
    public var batchSize: Int = 64
    public var evaluationBatchSize: Int = 256
    // Weight optimiser
    public var learningRate: Double = 0.025
    public var learningRateMin: Double = 0.001
    public var momentum: Double = 0.9
    public var weightDecay: Double = 3e-4
    public var gradientClip: Double = 5
    // Architecture optimiser
    public var archLearningRate: Double = 3e-4
    public var archBeta1: Double = 0.5
    public var archBeta2: Double = 0.999
    public var archEpsilon: Double = 1e-8
    public var archWeightDecay: Double = 1e-3
    public var secondOrder: Bool = false
    // Schedules
    public var stepRatio: Int = 10
    public var fimtTau0: Double = 1.0
    public var fimtGammaIncrease: Double = 1.05
    public var fimtBeta: Double = 0.2
    /// Overrides the method's train/α split fraction when set.
    public var trainFraction: Double? = nil
    // Regularisers
    public var rho: Double = 0.1
    public var admmFrequency: Int = 10
    public var admmDiscount: Double = 1.0
    // Storage
    public var keepLast: Int = 3
    public var keepEvery: Int = 50
    public var profile: SearchProfile = .paper

    public init() {}

    /// The preset `profile` (paper = SPEC defaults).
    public static func preset(_ profile: SearchProfile) -> SearchConfiguration {
        var c = SearchConfiguration()
        c.profile = profile
        switch profile {
        case .paper:
            break
        case .cpu:
            // About an hour on 2 cores (≈1.3–1.8 s per iteration at C=8, L=5, batch 32).
            c.initChannels = 8; c.layers = 5; c.batchSize = 32; c.epochs = 10; c.subset = 10_000
        case .demo:
            // A few minutes on 2 cores (≈0.6 s per iteration).
            c.initChannels = 4; c.layers = 5; c.batchSize = 32; c.epochs = 4; c.subset = 2200
            c.evaluationBatchSize = 128
        case .tiny:
            c.initChannels = 2; c.layers = 3; c.batchSize = 8; c.epochs = 2; c.subset = 88
            c.evaluationBatchSize = 32; c.keepLast = 2; c.keepEvery = 5
        }
        return c
    }

    /// Checks every setting a user can get wrong (SPEC §2–5 give the ranges); the message names
    /// the flag. Every number is checked, so a valid configuration is all finite.
    public func validate() throws {
        typealias C = SettingChecks
        try C.atLeast("--init-channels", initChannels, 1)
        try C.atLeast("--layers", layers, 3, why: " (two reduction cells)")
        try C.atLeast("--epochs", epochs, 1)
        try C.atLeast("--batch-size", batchSize, 1)
        try C.atLeast("--eval-batch-size", evaluationBatchSize, 1)
        if let s = subset { try C.atLeast("--subset", s, 2, why: " (one image for each split)") }
        try C.weightOptimizer(lr: learningRate, lrMin: learningRateMin, momentum: momentum,
                              weightDecay: weightDecay, clip: gradientClip)
        try C.positive("--arch-lr", archLearningRate)
        try C.unitHalfOpen("--arch-beta1", archBeta1)
        try C.unitHalfOpen("--arch-beta2", archBeta2)
        try C.positive("--arch-eps", archEpsilon)
        try C.nonNegative("--arch-weight-decay", archWeightDecay)
        try C.atLeast("--step-ratio", stepRatio, 1)
        try C.positive("--tau0", fimtTau0)
        try C.atLeast("--gamma-inc", fimtGammaIncrease, 1)
        try C.unitOpenClosed("--fimt-beta", fimtBeta)
        if let p = trainFraction { try C.unitOpen("--train-fraction", p) }
        try C.nonNegative("--rho", rho)
        try C.atLeast("--admm-freq", admmFrequency, 1)
        try C.unitClosed("--admm-discount", admmDiscount)
        try C.retention(keepLast: keepLast, keepEvery: keepEvery)
        _ = try MethodSpec.parse(method)
    }
}
