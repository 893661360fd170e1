// Smoke test over Debian's Fashion-MNIST files, and a check of the normalisation constants.
import Foundation
import Testing
@testable import ImageData

@Suite struct RealDataTests {
    static let folder = URL(fileURLWithPath: DatasetKind.fashionMNIST.defaultDirectory)
    static let present = FileBytes.locate("train-images-idx3-ubyte", in: folder) != nil

    /// Loads both splits and recomputes the documented mean and std over the padded training images.
    @Test(.enabled(if: present, "dataset-fashion-mnist is not installed"))
    func fashionMNISTStatistics() throws {
        let train = try ImageDataset.load(.fashionMNIST, directory: Self.folder, split: .train)
        let test = try ImageDataset.load(.fashionMNIST, directory: Self.folder, split: .test)
        #expect(train.count == 60_000 && test.count == 10_000)
        var perClass = [Int](repeating: 0, count: 10)
        for l in train.labels { perClass[Int(l)] += 1 }
        #expect(perClass == [Int](repeating: 6000, count: 10))
        var sum = 0.0, sumSq = 0.0
        train.pixels.withUnsafeBufferPointer { p in
            var s = 0, s2 = 0
            for v in p { let x = Int(v); s &+= x; s2 &+= x &* x }
            sum = Double(s) / 255; sumSq = Double(s2) / (255 * 255)
        }
        let n = Double(train.pixels.count)
        let mean = sum / n, std = (sumSq / n - mean * mean).squareRoot()
        #expect(abs(mean - Double(DatasetKind.fashionMNIST.mean[0])) < 1e-6, "mean \(mean)")
        #expect(abs(std - Double(DatasetKind.fashionMNIST.std[0])) < 1e-6, "std \(std)")
        // One augmented batch of the real data is finite and roughly centred.
        let (tr, _) = splitIndices(count: train.count, trainFraction: 0.5)
        var stream = BatchStream(indices: tr, batchSize: 64, seed: 101, stream: 0, augmentation: .search)
        let batch = stream.next(from: train)
        #expect(batch.images.shape == [64, 1, 32, 32] && batch.images.scalars.allSatisfy { $0.isFinite })
        #expect(batch.indices.allSatisfy { $0 < 30_000 })
        let m = batch.images.scalars.reduce(0, +) / Float(batch.images.count)
        #expect(abs(m) < 0.5)
    }
}
