// How one forward pass treats gradients and batch-norm statistics, shared by every layer.

/// Training or evaluation, and which leaves want gradients.
///
/// The search needs the three flags apart: its α step runs batch norm in training mode (as the
/// reference does) while only α is a gradient leaf, so a weight gradient is never computed there.
/// Networks without α (the evaluation network, the text model) leave `alphasRequireGrad` false.
public struct ForwardMode: Equatable, Sendable {
    /// Batch statistics (and running-statistics updates) when true; running statistics when false.
    public var training: Bool
    /// Whether network weights are gradient leaves.
    public var weightsRequireGrad: Bool
    /// Whether α is a gradient leaf.
    public var alphasRequireGrad: Bool

    public init(training: Bool, weightsRequireGrad: Bool, alphasRequireGrad: Bool) {
        self.training = training
        self.weightsRequireGrad = weightsRequireGrad
        self.alphasRequireGrad = alphasRequireGrad
    }

    /// Weight step: gradients for the weights only.
    public static let weightStep = ForwardMode(training: true, weightsRequireGrad: true, alphasRequireGrad: false)
    /// First-order α step: gradients for α only (BN still in training mode, as the reference).
    public static let alphaStep = ForwardMode(training: true, weightsRequireGrad: false, alphasRequireGrad: true)
    /// Evaluation: running statistics, no gradients.
    public static let evaluation = ForwardMode(training: false, weightsRequireGrad: false, alphasRequireGrad: false)
}
