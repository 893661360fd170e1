// Commit-cost benchmarks: small always-on checks that both benchmarks commit every repetition,
// and the medians for the tiny profile (1828 tensors / 246 KB) and paper size (1500 / 8 MB,
// 3000 / 16 MB) when DARTSPRIME_STORE_BENCH=1.
import Foundation
import Testing
import Benchmarks

@Suite(.serialized) struct RunStoreBenchmarkTests {
    @Test func benchmarkReturnsOneTimingPerCommit() throws {
        let t = try RunStoreBenchmark.commitMilliseconds(parameters: 20_000, tensorCount: 20, repetitions: 3)
        #expect(t.count == 3 && t.allSatisfy { $0 > 0 })
    }

    @Test func supernetBenchmarkCommitsEveryRepetition() throws {
        let t = try RunStoreBenchmark.supernetCommitMilliseconds(tensorCount: 40, totalBytes: 40_000, repetitions: 3)
        #expect(t.count == 3 && t.allSatisfy { $0 > 0 })
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["DARTSPRIME_STORE_BENCH"] == "1"))
    func supernetCommitMedians() throws {
        for (n, bytes) in [(1_828, 246_000), (1_500, 8 << 20), (3_000, 16 << 20)] {
            let t = try RunStoreBenchmark.supernetCommitMilliseconds(tensorCount: n, totalBytes: bytes, repetitions: 9)
            print("store bench: \(n) tensors, \(bytes >> 10) KiB: median \(String(format: "%.1f", Timings.median(t))) ms, all \(t.map { String(format: "%.1f", $0) })")
        }
    }
}
