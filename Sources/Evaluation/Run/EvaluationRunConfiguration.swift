// Every setting of an evaluation run (SPEC §6) with the DARTS protocol's defaults, named
// profiles, and the provenance of the genotype. Stored as JSON in run.json; `resume` rebuilds
// the run from it.

import ImageData
import Training

/// Named presets: `paper` is SPEC §6; the others scale the evaluation down for 2-core CPUs.
public enum EvaluationProfile: String, Codable, CaseIterable, Sendable {
    case paper, cpu, demo, tiny
}

/// Where the evaluated genotype came from: a search's step (replayed) or a text.
public struct EvaluationSource: Codable, Sendable, Equatable {
    /// The source run directory (absolute path) and its identity: SHA-256 of its run.json.
    public var run: String?
    public var runIdentity: String?
    /// The replayed step and its whole-state digest.
    public var step: Int?
    public var stateDigest: String?
    /// A genotype given as text (`--genotype` / `--genotype-file`): the text as given, and the file.
    public var text: String?
    public var file: String?

    public init(run: String? = nil, runIdentity: String? = nil, step: Int? = nil, stateDigest: String? = nil,
                text: String? = nil, file: String? = nil) {
        self.run = run; self.runIdentity = runIdentity; self.step = step; self.stateDigest = stateDigest
        self.text = text; self.file = file
    }
}

public struct EvaluationRunConfiguration: Codable, Sendable, Equatable {
    /// The genotype in DARTS syntax, and where it came from.
    public var genotype: String = ""
    public var source = EvaluationSource()
    // Data
    public var dataset: DatasetKind = .cifar10
    public var dataDirectory: String? = nil
    /// Use only the first N training / test images (nil: all).
    public var subset: Int? = nil
    public var testSubset: Int? = nil
    public var augment: Bool = true
    public var cutout: Int = 16
    public var seed: UInt64 = 101
    // Network
    public var initChannels: Int = 36
    public var layers: Int = 20
    public var auxiliary: Bool = true
    public var auxiliaryWeight: Double = 0.4
    public var dropPath: Double = 0.2
    // Loop
    public var epochs: Int = 600
    public var batchSize: Int = 96
    public var evaluationBatchSize: Int = 256
    // Weight optimiser (cosine to 0, SPEC §6)
    public var learningRate: Double = 0.025
    public var learningRateMin: Double = 0
    public var momentum: Double = 0.9
    public var weightDecay: Double = 3e-4
    public var gradientClip: Double = 5
    // Storage
    public var keepLast: Int = 3
    public var keepEvery: Int = 50
    public var profile: EvaluationProfile = .paper

    public init() {}

    public static func preset(_ profile: EvaluationProfile) -> EvaluationRunConfiguration {
        var c = EvaluationRunConfiguration()
        c.profile = profile
        switch profile {
        case .paper:
            break
        case .cpu:
            // About two hours on 2 cores: `bench eval` at this size takes ≈ 1.1 s per iteration
            // (docs/BENCHMARKS.md), × 157 iterations × 40 epochs ≈ 1 h 55 min, plus the test passes.
            c.initChannels = 16; c.layers = 8; c.batchSize = 64; c.epochs = 40; c.subset = 10_000; c.testSubset = 2000
        case .demo:
            // A few minutes on 2 cores.
            c.initChannels = 8; c.layers = 5; c.batchSize = 32; c.epochs = 3; c.subset = 2000; c.testSubset = 1000
            c.evaluationBatchSize = 128
        case .tiny:
            c.initChannels = 4; c.layers = 3; c.batchSize = 16; c.epochs = 2; c.subset = 96; c.testSubset = 64
            c.evaluationBatchSize = 32; c.keepLast = 2; c.keepEvery = 5
        }
        return c
    }

    /// Checks every setting a user can get wrong (SPEC §6 gives the constants); the message
    /// names the flag. Every number is checked, so a valid configuration is all finite.
    public func validate() throws {
        typealias C = SettingChecks
        if initChannels < 2 || initChannels % 2 != 0 {
            throw TrainingError.invalidConfiguration("--init-channels must be even and at least 2, got \(initChannels)")
        }
        try C.atLeast("--layers", layers, 3, why: " (two reduction cells)")
        try C.atLeast("--epochs", epochs, 1)
        try C.atLeast("--batch-size", batchSize, 1)
        try C.atLeast("--eval-batch-size", evaluationBatchSize, 1)
        if let s = subset { try C.atLeast("--subset", s, 1) }
        if let s = testSubset { try C.atLeast("--test-subset", s, 1) }
        try C.unitHalfOpen("--drop-path", dropPath)
        try C.atLeast("--cutout", cutout, 0, why: " (0: no cutout)")
        try C.nonNegative("--auxiliary-weight", auxiliaryWeight)
        try C.weightOptimizer(lr: learningRate, lrMin: learningRateMin, momentum: momentum,
                              weightDecay: weightDecay, clip: gradientClip)
        try C.retention(keepLast: keepLast, keepEvery: keepEvery)
    }
}
