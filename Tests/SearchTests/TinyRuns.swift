// Tiny searches for the resume tests (on the data of TestSupport's TinySearch), through the trainer.

import Foundation
import Testing
@testable import Search
import Training
import RunStore
import ImageData
import DartsCore
import TestSupport

enum TinyRuns {
    static func configuration(_ method: String) -> SearchConfiguration { TinySearch.configuration(method) }
    static var dataset: ImageDataset { TinySearch.dataset }
    static func temporaryDirectory(_ tag: String) -> URL { TinySearch.temporaryDirectory("resume-" + tag) }

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
