// Same bits whatever vector width the large products run at: the tiny Penn Treebank search (its
// 10 000-word decoder and cell products go through the chain GEMM) gives the recorded digests
// with the AVX2 kernel, with the scalar one and, on this CPU if it has it, the AVX-512 one, under
// 1 and 2 workers, and its run.json names the kernel that ran. Likewise the tiny CNN search, whose
// 1×1 convs (forward, input and weight gradients) run the FMA-chain kernels of Pointwise.swift.
import Foundation
import Testing
@testable import RunStore

@Suite("chain GEMM instruction sets", .serialized)
struct ChainGemmEndToEndTests {
    @Test func everyInstructionSetGivesTheRecordedTextDigests() throws {
        let c = try #require(DigestFixture.cases.first { $0.name == "ptb-prime" })
        guard FileManager.default.fileExists(atPath: DigestFixture.pennTreebank.appendingPathComponent("ptb.valid.txt").path) else {
            Issue.record("no Penn Treebank files in \(DigestFixture.pennTreebank.path)")
            return
        }
        let recorded = try #require(try DigestFixture.recorded()[c.name])
        let exe = try dartsprimeBinary()
        let hasAVX512 = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").contains(" avx512f")
        // (asked, threads, the set that must run)
        var runs: [(String, String, String)] = [("avx2", "1", "avx2"), ("avx2", "2", "avx2"), ("scalar", "2", "scalar")]
        runs.append(("avx512", "2", hasAVX512 ? "avx512" : "avx2"))
        for (i, (asked, threads, expected)) in runs.enumerated() {
            let dir = scratch("chain-gemm-\(i)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let digests = try DigestFixture.digests(c, exe: exe, scratch: dir,
                                                    environment: ["DARTSPRIME_VECTOR_ISA": asked, "DARTSPRIME_THREADS": threads])
            #expect(digests == recorded, "\(asked), \(threads) workers: digests differ from the fixture")
            let store = try RunStore.open(at: dir.appendingPathComponent(c.name), readOnly: true)
            #expect(store.environment["vector_isa"] == expected, "asked \(asked): ran \(store.environment["vector_isa"] ?? "?")")
        }
    }

    @Test func everyInstructionSetGivesTheRecordedCNNDigests() throws {
        let c = try #require(DigestFixture.cases.first { $0.name == "synthetic-prime" })
        let recorded = try #require(try DigestFixture.recorded()[c.name])
        let exe = try dartsprimeBinary()
        for (i, (asked, threads)) in [("avx2", "1"), ("avx2", "2"), ("scalar", "2")].enumerated() {
            let dir = scratch("chain-gemm-cnn-\(i)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let digests = try DigestFixture.digests(c, exe: exe, scratch: dir,
                                                    environment: ["DARTSPRIME_VECTOR_ISA": asked, "DARTSPRIME_THREADS": threads])
            #expect(digests == recorded, "\(asked), \(threads) workers: CNN digests differ from the fixture")
        }
    }
}
