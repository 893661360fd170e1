// Everything a search needs to continue: model, optimisers, schedule, regulariser, data order,
// counters. `SearchStateCodec` turns it into a RunStore checkpoint and back.

import DartsCore
import DartsNN
import ImageData

/// Counters of the loop. `step` is the number of completed iterations.
public struct LoopCounters: Codable, Sendable, Equatable {
    public var step: Int = 0
    public var epoch: Int = 0
    /// Index of the next batch within the current epoch.
    public var batchInEpoch: Int = 0
    public var alphaSteps: Int = 0
    /// Epochs done so far as a fraction (SPEC: clock += 1/nb per iteration).
    public var clock: Double = 0
    public init() {}
}

/// Per-step observations that go into the history and the checkpoint.
public struct StepRecord: Sendable {
    public var trainLoss: Double = .nan
    public var trainAccuracy: Double = .nan
    public var alphaLoss: Double = .nan
    public var alphaAccuracy: Double = .nan
    public var regularizer: Double = .nan
    public var alphaStep: Bool = false
    public var fimt: Double = .nan
    public var fimtAverage: Double = .nan
    public var threshold: Double = .nan
    public var learningRate: Double = .nan
    public var gradientNorm: Double = .nan
    public var edgeTraceNormal: [Double] = []
    public var edgeTraceReduce: [Double] = []
    public var trainIndices: [Int] = []
    public var alphaIndices: [Int] = []
    /// End of epoch only: supernet evaluation on the α split, and the genotype.
    public var validationLoss: Double = .nan
    public var validationAccuracy: Double = .nan
    public var genotype: String? = nil
    public init() {}
}
