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

    /// Checks the values a user can get wrong; the message names the flag.
    public func validate() throws {
        func fail(_ m: String) throws -> Never { throw TrainingError.invalidConfiguration(m) }
        if initChannels < 2 || initChannels % 2 != 0 { try fail("--init-channels must be even and at least 2, got \(initChannels)") }
        if layers < 3 { try fail("--layers must be at least 3 (two reduction cells), got \(layers)") }
        if epochs < 1 { try fail("--epochs must be at least 1, got \(epochs)") }
        if batchSize < 1 { try fail("--batch-size must be at least 1, got \(batchSize)") }
        if evaluationBatchSize < 1 { try fail("--eval-batch-size must be at least 1, got \(evaluationBatchSize)") }
        if let s = subset, s < 1 { try fail("--subset must be at least 1, got \(s)") }
        if let s = testSubset, s < 1 { try fail("--test-subset must be at least 1, got \(s)") }
        if !(dropPath >= 0 && dropPath < 1) { try fail("--drop-path must be in [0, 1), got \(dropPath)") }
        if cutout < 0 { try fail("--cutout must not be negative, got \(cutout)") }
        if gradientClip <= 0 { try fail("--grad-clip must be positive, got \(gradientClip)") }
    }
}
