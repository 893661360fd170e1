// A minibatch as the network consumes it, and its assembly from a dataset.
import DartsCore

/// Normalised images, their labels, and which dataset samples they are.
public struct Batch: Sendable, Equatable {
    /// `(B, C, 32, 32)`, normalised per channel.
    public var images: Tensor
    public var labels: [Int]
    /// Dataset indices of the images, in batch order.
    public var indices: [Int]

    public init(images: Tensor, labels: [Int], indices: [Int]) {
        self.images = images; self.labels = labels; self.indices = indices
    }

    public var count: Int { indices.count }
}

extension ImageDataset {
    /// The batch of samples `indices`, image `i` transformed by `draws[i]` (identity when `draws`
    /// is nil) and normalised with this dataset's constants.
    public func makeBatch(indices: [Int], draws: [AugmentationDraw]? = nil, cutout: Int = 0) -> Batch {
        precondition(draws == nil || draws?.count == indices.count, "one augmentation draw per image")
        let per = imageBytes, n = indices.count
        for i in indices { precondition(i >= 0 && i < count, "sample index \(i) outside 0..<\(count)") }
        var images = Tensor(shape: [n, channels, DatasetKind.imageSide, DatasetKind.imageSide])
        let normalizer = Normalizer.cached(kind)
        let ch = channels
        pixels.withUnsafeBufferPointer { src in
            normalizer.table.withUnsafeBufferPointer { table in
                images.withUnsafeMutableBufferPointer { dst in
                    guard let s0 = src.baseAddress, let t0 = table.baseAddress, let d0 = dst.baseAddress else { return }
                    for b in 0..<n {
                        ImageWriter.write(src: s0 + indices[b] * per, channels: ch,
                                          draw: draws?[b] ?? .identity, cutout: draws == nil ? 0 : cutout,
                                          table: t0, dst: d0 + b * per)
                    }
                }
            }
        }
        return Batch(images: images, labels: indices.map { Int(labels[$0]) }, indices: indices)
    }
}

extension Normalizer {
    private static let all: [DatasetKind: Normalizer] =
        Dictionary(uniqueKeysWithValues: DatasetKind.allCases.map { ($0, Normalizer($0)) })

    /// The normaliser of `kind`, built once.
    static func cached(_ kind: DatasetKind) -> Normalizer { all[kind] ?? Normalizer(kind) }
}
