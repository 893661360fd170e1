// The sampler: a fresh permutation each pass, and bit-exact continuation from any saved state.
import DartsCore
import Foundation
import Testing
@testable import ImageData

@Suite struct BatchStreamTests {
    let data = randomDataset(.cifar10, count: 12)
    /// A split that is not 0..<n, so the test sees indices mapped through it.
    let split = [1, 2, 4, 5, 7, 8, 10]

    @Test func eachPassIsAFreshPermutation() {
        var s = BatchStream(indices: split, batchSize: 3, seed: 101, stream: 0, augmentation: .none)
        #expect(s.batchesPerPass == 3 && s.pass == 0)
        var orders: [[Int]] = []
        for p in 1...4 {
            var order: [Int] = []
            for k in 0..<3 {
                let b = s.next(from: data)
                #expect(b.count == (k == 2 ? 1 : 3))
                #expect(b.labels == b.indices.map { Int(data.labels[$0]) })
                #expect(b.images == data.makeBatch(indices: b.indices).images)
                order += b.indices
            }
            #expect(s.pass == p && s.atPassBoundary)
            #expect(order.sorted() == split)
            orders.append(order)
        }
        #expect(Set(orders).count > 1)
    }

    @Test func seedsAndStreamsSeparate() {
        func firstPass(_ seed: UInt64, _ stream: UInt64) -> [Int] {
            var s = BatchStream(indices: Array(0..<12), batchSize: 12, seed: seed, stream: stream, augmentation: .none)
            return s.next(from: data).indices
        }
        #expect(firstPass(101, 0) == firstPass(101, 0))
        #expect(firstPass(101, 0) != firstPass(101, 1))
        #expect(firstPass(101, 0) != firstPass(102, 0))
    }

    @Test func restartBeginsANewPassOnlyMidway() {
        var a = BatchStream(indices: split, batchSize: 3, seed: 7, stream: 1, augmentation: .search)
        var b = a
        b.restart()  // fresh stream: nothing to end
        #expect(a.next(from: data) == b.next(from: data))
        b.restart()  // mid-pass: the rest of pass 1 is skipped
        let afterRestart = b.next(from: data)
        #expect(b.pass == 2)
        _ = a.next(from: data); _ = a.next(from: data)
        #expect(a.atPassBoundary)
        a.restart()  // at a boundary: no effect
        #expect(a.pass == 1)
        #expect(a.next(from: data).indices == afterRestart.indices)
    }

    /// The schedule both runs follow: batches, with a restart before the listed steps.
    static let steps = 10, restartBefore: Set<Int> = [5]

    func run(_ s: inout BatchStream, steps range: Range<Int>) -> [Batch] {
        range.map { k in
            if Self.restartBefore.contains(k) { s.restart() }
            return s.next(from: data)
        }
    }

    @Test(arguments: [AugmentationConfig.search, AugmentationConfig(cutout: 16), .none])
    func resumeAtEveryPositionYieldsTheRemainingBatches(augmentation: AugmentationConfig) throws {
        var whole = BatchStream(indices: split, batchSize: 3, seed: 101, stream: 1, augmentation: augmentation)
        let reference = run(&whole, steps: 0..<Self.steps)
        for k in 0...Self.steps {
            var first = BatchStream(indices: split, batchSize: 3, seed: 101, stream: 1, augmentation: augmentation)
            let head = run(&first, steps: 0..<k)
            #expect(head == Array(reference[0..<k]))
            // Through JSON and through the flat array, as a checkpoint would store it.
            let json = try JSONDecoder().decode(BatchStreamState.self, from: JSONEncoder().encode(first.state))
            let flat = try BatchStreamState(flattened: first.state.flattened)
            #expect(json == first.state && flat == first.state)
            var resumed = try BatchStream(indices: split, batchSize: 3, augmentation: augmentation, state: flat)
            let tail = run(&resumed, steps: k..<Self.steps)
            #expect(tail == Array(reference[k...]), "resumed after \(k) batches")
            #expect(resumed.state == whole.state)
        }
    }

    @Test func augmentationIsAppliedAndDiffersBetweenPasses() {
        var s = BatchStream(indices: [3], batchSize: 1, seed: 1, stream: 0, augmentation: .search)
        let images = (0..<20).map { _ in s.next(from: data).images }
        #expect(Set(images.map { $0.scalars }).count > 5)
        #expect(images.contains { $0 != data.makeBatch(indices: [3]).images })
    }

    @Test func invalidStatesAreRefused() throws {
        var s = BatchStream(indices: split, batchSize: 3, seed: 1, stream: 0, augmentation: .none)
        _ = s.next(from: data)
        let good = s.state
        func refused(_ state: BatchStreamState, batchSize: Int = 3, count: Int = 7, _ word: String) {
            let e = dataError { _ = try BatchStream(indices: Array(split.prefix(count)), batchSize: batchSize, augmentation: .none, state: state) }
            guard case .invalidSamplerState(let reason)? = e else { Issue.record("accepted: \(word)"); return }
            #expect(reason.contains(word), "\(reason)")
        }
        refused(good, batchSize: 4, "batch size")
        refused(good, count: 6, "entries")
        var dup = good; dup.permutation[0] = dup.permutation[1]; refused(dup, "not a permutation")
        var cur = good; cur.cursor = 8; refused(cur, "cursor")
        var pass = good; pass.pass = 0; refused(pass, "pass number 0")
        var lane = good; lane.augmentationRNG.lane = 9; refused(lane, "lane")
        #expect(throws: DataError.self) { try BatchStreamState(flattened: [2] + good.flattened.dropFirst()) }
        #expect(throws: DataError.self) { try BatchStreamState(flattened: Array(good.flattened.dropLast())) }
        _ = try BatchStream(indices: split, batchSize: 3, augmentation: .none, state: good)
    }
}
