// Shared by the test targets: the `tiny` search configuration on Fashion-MNIST when the package
// is installed, else on a synthetic CIFAR-10-shaped set, so no test depends on the package.

import Foundation
import DartsCore
import ImageData
import Search

public enum TinySearch {
    public static let fashionMNISTInstalled =
        FileManager.default.fileExists(atPath: DatasetKind.fashionMNIST.defaultDirectory)

    /// `method` may end in `/second-order` for the unrolled α step.
    public static func configuration(_ method: String) -> SearchConfiguration {
        var c = SearchConfiguration.preset(.tiny)
        c.dataset = fashionMNISTInstalled ? .fashionMNIST : .cifar10
        let parts = method.split(separator: "/")
        c.method = String(parts[0])
        c.secondOrder = parts.count > 1 && parts[1] == "second-order"
        c.seed = 101
        return c
    }

    /// `count` images of deterministic noise with labels, CIFAR-10 shaped.
    public static func syntheticDataset(count: Int = 88) -> ImageDataset {
        var rng = PhiloxRandom(seed: 7, stream: 3)
        let pixels = (0..<count * 3 * 32 * 32).map { _ in UInt8(truncatingIfNeeded: rng.nextUInt32()) }
        let labels = (0..<count).map { _ in Int32(rng.nextInt(below: 10)) }
        return ImageDataset(kind: .cifar10, pixels: pixels, labels: labels)
    }

    /// The data `configuration(_:)` searches.
    public static let dataset: ImageDataset = {
        if fashionMNISTInstalled, let d = try? CNNSearch.loadDataset(configuration("darts")) { return d }
        return syntheticDataset()
    }()

    public static func temporaryDirectory(_ tag: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("dartsprime-\(tag)-\(UUID().uuidString)")
    }
}
