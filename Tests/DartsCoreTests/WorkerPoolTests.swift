// The persistent workers behind parallelFor: every item runs exactly once, chunks follow the
// fixed partition, nested and concurrent callers run inline, and a pool whose workers went to
// sleep wakes up for the next call.
@testable import DartsCore
import Dispatch
import Synchronization
import Testing

/// Records which chunk (by its lower bound) covered each item.
private final class Coverage: @unchecked Sendable {
    let hits: UnsafeMutablePointer<Int32>
    let count: Int
    init(_ count: Int) {
        self.count = count
        hits = .allocate(capacity: count)
        hits.initialize(repeating: 0, count: count)
    }
    deinit { hits.deallocate() }
    var all: [Int32] { Array(UnsafeBufferPointer(start: hits, count: count)) }
}

@Test func poolRunsEveryItemOnceOverTheFixedPartition() {
    let pool = WorkerPool(workerCount: 3, spinNanoseconds: 200_000)
    for (count, chunks) in [(4, 4), (10, 3), (1000, 4), (7, 2)] {
        let cover = Coverage(count)
        let starts = Mutex<[Range<Int>]>([])
        #expect(pool.tryAcquire())
        pool.run(count: count, chunks: chunks) { r in
            for i in r { cover.hits[i] += 1 }
            starts.withLock { $0.append(r) }
        }
        #expect(cover.all == [Int32](repeating: 1, count: count))
        let expected = (0..<chunks).map { ($0 * count / chunks)..<(($0 + 1) * count / chunks) }
        #expect(starts.withLock { $0.sorted { $0.lowerBound < $1.lowerBound } } == expected)
    }
}

@Test func poolIsReleasedAfterEachCallAndRefusesASecondOwner() {
    let pool = WorkerPool(workerCount: 1, spinNanoseconds: 0)
    #expect(pool.tryAcquire())
    #expect(!pool.tryAcquire())  // held: a nested or concurrent caller must run inline
    pool.run(count: 2, chunks: 2) { _ in }
    #expect(pool.tryAcquire())
    pool.run(count: 2, chunks: 2) { _ in }
}

@Test func sleepingWorkersWakeForTheNextCall() {
    // spin 0: the worker sleeps on the condition variable between calls, every time.
    let pool = WorkerPool(workerCount: 1, spinNanoseconds: 0)
    let cover = Coverage(64)
    for _ in 0..<200 {
        #expect(pool.tryAcquire())
        pool.run(count: 64, chunks: 2) { r in for i in r { cover.hits[i] += 1 } }
    }
    #expect(cover.all == [Int32](repeating: 200, count: 64))
}

@Test func nestedAndConcurrentParallelForGiveTheSameSums() {
    // Inner calls find the pool busy and run inline; threads racing for the pool do too.
    @Sendable func work() -> [Double] {
        var out = [Double](repeating: 0, count: 16)
        out.withUnsafeMutableBufferPointer { o in
            let base = o.baseAddress!
            DartsCore.parallelFor(16) { rows in
                for r in rows {
                    var s = 0.0
                    DartsCore.parallelFor(100) { inner in for j in inner { _ = j } }
                    for j in 0..<1000 { s += Double(r * 1000 + j).squareRoot() }
                    base[r] = s
                }
            }
        }
        return out
    }
    let reference = work()
    let results = Mutex<[[Double]]>([])
    DispatchQueue.concurrentPerform(iterations: 4) { _ in
        let r = work()
        results.withLock { $0.append(r) }
    }
    for r in results.withLock({ $0 }) { #expect(r == reference) }
}
