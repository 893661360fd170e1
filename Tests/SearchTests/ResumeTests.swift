// Bit-exact resume, proven: for every method a straight run and runs interrupted at chosen
// steps then resumed have identical state digests at every step and identical final state; a
// negative control shows the comparison catches a piece of state that is not restored.

import Testing
import Foundation
@testable import Search
import RunStore
import ImageData

enum TinyRuns {
    /// `method` may end in `/second-order` for the unrolled α step.
    static func configuration(_ method: String) -> SearchConfiguration {
        var c = SearchConfiguration.preset(.tiny)
        c.dataset = .fashionMNIST
        let parts = method.split(separator: "/")
        c.method = String(parts[0])
        c.secondOrder = parts.count > 1 && parts[1] == "second-order"
        c.seed = 101
        return c
    }

    static let dataset: ImageDataset? = try? SearchSession.loadDataset(configuration("darts"))

    static func temporaryDirectory(_ tag: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("dartsprime-resume-\(tag)-\(UUID().uuidString)")
    }

    /// Runs a fresh search into `dir`, stopping after `maxSteps` if given.
    static func start(_ c: SearchConfiguration, _ dir: URL, maxSteps: Int? = nil) throws -> SearchRunner {
        let runner = try SearchRunner(configuration: c, dataset: try #require(dataset))
        let store = try RunStore.create(at: dir, configurationJSON: try encodeJSON(c), environment: [:],
                                        retention: RetentionPolicy(keepLast: 2, keepEpochEnds: true, everyNth: 0))
        _ = try runner.run(store: store, maxSteps: maxSteps)
        return runner
    }

    /// Opens `dir`, restores its newest step (leaving out `skipping` keys) and runs to the end.
    static func resume(_ c: SearchConfiguration, _ dir: URL, skipping: Set<String> = []) throws -> SearchRunner {
        let store = try RunStore.open(at: dir)
        let runner = try SearchRunner(configuration: c, dataset: try #require(dataset))
        try runner.restore(from: try store.load(step: try #require(store.latestStep)), skipping: skipping)
        _ = try runner.run(store: store)
        return runner
    }

    static func digests(_ dir: URL) throws -> [String] {
        try RunStore.open(at: dir).history().map(\.stateDigest)
    }

    static func finalCheckpoint(_ dir: URL) throws -> Checkpoint {
        let store = try RunStore.open(at: dir)
        return try store.load(step: try #require(store.latestStep))
    }
}

@Suite("Bit-exact resume", .serialized)
struct ResumeTests {
    static let methods = ["darts", "cs10", "fimt", "pr", "prime", "prime+crb", "darts+crb", "fimt+crb",
                          "darts+admm", "fimt+admm", "fimt+admm+crb", "darts/second-order"]

    @Test("interrupted and resumed runs equal the straight run at every step", arguments: methods)
    func resumeMatrix(_ method: String) throws {
        let c = TinyRuns.configuration(method)
        let straightDir = TinyRuns.temporaryDirectory("straight")
        defer { try? FileManager.default.removeItem(at: straightDir) }
        let straight = try TinyRuns.start(c, straightDir)
        let reference = try TinyRuns.digests(straightDir)
        #expect(reference.count == straight.totalSteps)
        let nb = straight.batchesPerEpoch
        // After the first α step that is not the last step of the search.
        let history = try RunStore.open(at: straightDir).history()
        let firstAlpha = history.first { $0.values["alpha_step"] == 1 && $0.step < straight.totalSteps }?.step
        var stops = [max(1, nb / 2), nb]
        if let s = firstAlpha { stops.append(s) }
        for k in Set(stops).sorted() where k < straight.totalSteps {
            let dir = TinyRuns.temporaryDirectory("k\(k)")
            defer { try? FileManager.default.removeItem(at: dir) }
            _ = try TinyRuns.start(c, dir, maxSteps: k)
            #expect(try RunStore.open(at: dir).latestStep == k)
            _ = try TinyRuns.resume(c, dir)
            #expect(try TinyRuns.digests(dir) == reference, "\(method): interrupted at step \(k)")
            #expect(try TinyRuns.finalCheckpoint(dir) == TinyRuns.finalCheckpoint(straightDir))
        }
    }

    @Test("negative control: a state piece left out of the restore breaks the equality",
          arguments: ["data/train_stream", "schedule", "optimizer"])
    func negativeControl(_ skipped: String) throws {
        let c = TinyRuns.configuration("prime")
        let straightDir = TinyRuns.temporaryDirectory("nc-straight")
        let dir = TinyRuns.temporaryDirectory("nc")
        defer {
            try? FileManager.default.removeItem(at: straightDir)
            try? FileManager.default.removeItem(at: dir)
        }
        let straight = try TinyRuns.start(c, straightDir)
        _ = try TinyRuns.start(c, dir, maxSteps: straight.batchesPerEpoch / 2 + 1)
        _ = try TinyRuns.resume(c, dir, skipping: [skipped])
        #expect(try TinyRuns.digests(dir) != TinyRuns.digests(straightDir))
    }
}
