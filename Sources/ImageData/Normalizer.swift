// Per-channel lookup tables from a raw byte to its normalised Float, as torchvision computes it.

/// `table[c·256 + v] = (Float(v) / 255 − mean[c]) / std[c]`, in Float arithmetic, the same
/// operations as torchvision's `ToTensor` then `Normalize`; a table lookup replaces a divide
/// and a multiply per pixel.
public struct Normalizer: Sendable {
    public let channels: Int
    public let table: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && !mean.isEmpty, "need one mean and one std per channel")
        precondition(std.allSatisfy { $0 > 0 }, "standard deviations must be positive")
        channels = mean.count
        var t = [Float](repeating: 0, count: channels * 256)
        for c in 0..<channels {
            for v in 0..<256 { t[c * 256 + v] = (Float(v) / 255 - mean[c]) / std[c] }
        }
        table = t
    }

    /// The normaliser for a dataset's constants.
    public init(_ kind: DatasetKind) { self.init(mean: kind.mean, std: kind.std) }

    /// The normalised value of raw byte `v` in channel `c`.
    @inlinable public func value(_ v: UInt8, channel c: Int) -> Float { table[c * 256 + Int(v)] }
}
