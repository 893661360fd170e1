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

    /// Checks the values a user can get wrong; the message names the flag.
    public func validate() throws {
        func fail(_ m: String) throws -> Never { throw TrainingError.invalidConfiguration(m) }
        if initChannels < 1 { try fail("--init-channels must be at least 1, got \(initChannels)") }
        if layers < 3 { try fail("--layers must be at least 3 (two reduction cells), got \(layers)") }
        if epochs < 1 { try fail("--epochs must be at least 1, got \(epochs)") }
        if batchSize < 1 { try fail("--batch-size must be at least 1, got \(batchSize)") }
        if let s = subset, s < 2 { try fail("--subset must be at least 2, got \(s)") }
        if stepRatio < 1 { try fail("--step-ratio must be at least 1, got \(stepRatio)") }
        if let p = trainFraction, !(p > 0 && p < 1) { try fail("--train-fraction must be in (0, 1), got \(p)") }
        _ = try MethodSpec.parse(method)
    }
}
