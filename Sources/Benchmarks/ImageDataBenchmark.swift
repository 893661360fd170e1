// Throughput of batch assembly (crop + flip + normalise) on synthetic data, for `dartsprime bench`.
import DartsCore
import ImageData

/// Measures how many images per second a `BatchStream` turns into normalised batch tensors.
public enum ImageDataBenchmark {
    /// Images per second of `BatchStream.next(from:)` over `batches` batches of `batchSize`
    /// synthetic random images of `kind`, after one warm-up batch.
    public static func imagesPerSecond(kind: DatasetKind = .cifar10, batchSize: Int = 64, batches: Int = 500,
                                       augmentation: AugmentationConfig = .search, samples: Int = 2048) -> Double {
        precondition(batchSize > 0 && batches > 0 && samples > 0, "benchmark sizes must be positive")
        var rng = PhiloxRandom(seed: 7, stream: 99)
        let per = kind.channels * DatasetKind.imageSide * DatasetKind.imageSide
        let pixels = (0..<(samples * per)).map { _ in UInt8(truncatingIfNeeded: rng.nextUInt32()) }
        let labels = (0..<samples).map { _ in Int32(rng.nextInt(below: kind.classes)) }
        let data = ImageDataset(kind: kind, pixels: pixels, labels: labels)
        var stream = BatchStream(indices: Array(0..<samples), batchSize: batchSize, seed: 1, stream: 0,
                                 augmentation: augmentation)
        var checksum: Float = stream.next(from: data).images[flat: 0]
        let clock = ContinuousClock()
        var images = 0
        let elapsed = clock.measure {
            for _ in 0..<batches {
                let b = stream.next(from: data)
                checksum += b.images[flat: b.images.count - 1]
                images += b.count
            }
        }
        precondition(checksum.isFinite, "benchmark produced a non-finite value")
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Double(images) / max(seconds, 1e-9)
    }
}
