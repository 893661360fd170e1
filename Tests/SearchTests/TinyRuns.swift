// Tiny searches for the resume tests: Fashion-MNIST when the package is installed, else a
// synthetic CIFAR-10-shaped set (so the tests never depend on the package being there).

import Foundation
import Testing
@testable import Search
import Training
import RunStore
import ImageData
import DartsCore

enum TinyRuns {
    static let fashionMNISTInstalled = FileManager.default.fileExists(atPath: DatasetKind.fashionMNIST.defaultDirectory)

    /// `method` may end in `/second-order` for the unrolled α step.
    static func configuration(_ method: String) -> SearchConfiguration {
        var c = SearchConfiguration.preset(.tiny)
        c.dataset = fashionMNISTInstalled ? .fashionMNIST : .cifar10
        let parts = method.split(separator: "/")
        c.method = String(parts[0])
        c.secondOrder = parts.count > 1 && parts[1] == "second-order"
        c.seed = 101
        return c
    }

    /// 88 images of deterministic noise with labels, CIFAR-10 shaped.
    static func syntheticDataset(count: Int = 88) -> ImageDataset {
        var rng = PhiloxRandom(seed: 7, stream: 3)
        let pixels = (0..<count * 3 * 32 * 32).map { _ in UInt8(truncatingIfNeeded: rng.nextUInt32()) }
        let labels = (0..<count).map { _ in Int32(rng.nextInt(below: 10)) }
        return ImageDataset(kind: .cifar10, pixels: pixels, labels: labels)
    }

    static let dataset: ImageDataset = {
        if fashionMNISTInstalled, let d = try? CNNSearch.loadDataset(configuration("darts")) { return d }
        return syntheticDataset()
    }()

    static func temporaryDirectory(_ tag: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("dartsprime-resume-\(tag)-\(UUID().uuidString)")
    }

    static func store(_ c: SearchConfiguration, _ dir: URL) throws -> RunStore {
        try RunStore.create(at: dir, configurationJSON: try StateJSON.encode(c), environment: [:],
                            retention: RetentionPolicy(keepLast: 2, keepEpochEnds: true, everyNth: 0),
                            runKind: CNNSearch.kindName)
    }

    /// Runs a fresh search into `dir`, stopping after `maxSteps` if given.
    @discardableResult
    static func start(_ c: SearchConfiguration, _ dir: URL, maxSteps: Int? = nil) throws -> CNNSearch {
        let search = try CNNSearch(configuration: c, dataset: dataset)
        _ = try Trainer(search).run(store: try store(c, dir), maxSteps: maxSteps)
        return search
    }

    /// Opens `dir`, restores its newest step (leaving out `skipping` entries) and runs to the end.
    @discardableResult
    static func resume(_ c: SearchConfiguration, _ dir: URL, skipping: Set<String> = []) throws -> CNNSearch {
        let store = try RunStore.open(at: dir)
        let search = try CNNSearch(configuration: c, dataset: dataset)
        let trainer = Trainer(search)
        try trainer.restore(from: try store.load(step: try #require(store.latestStep)), skipping: skipping)
        _ = try trainer.run(store: store)
        return search
    }

    static func digests(_ dir: URL) throws -> [String] {
        try RunStore.open(at: dir).history().map(\.stateDigest)
    }

    static func finalCheckpoint(_ dir: URL) throws -> Checkpoint {
        let store = try RunStore.open(at: dir)
        return try store.load(step: try #require(store.latestStep))
    }
}
