// What one search iteration observed; `CNNSearch.output` turns it into the step's checkpoint
// observations, history row and progress.

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
    /// α steps taken so far, this one included.
    public var alphaStepsTotal: Int = 0
    /// End of epoch only: supernet evaluation on the α split, and the genotype.
    public var validationLoss: Double = .nan
    public var validationAccuracy: Double = .nan
    public var genotype: String? = nil
    public init() {}
}
