// Same bits on every x86-64 machine with AVX2+FMA (issue 12): the binary pins OpenBLAS's
// Haswell kernels whatever OPENBLAS_CORETYPE the caller sets, so a search gives the recorded
// fixture's digests under every kernel family this CPU can run, and under 1 or 2 workers; the
// environment it records says so. DARTSPRIME_OPENBLAS_CORETYPE bypasses the pin: the negative
// control that shows the families really differ here.
import Foundation
import Testing
@testable import RunStore

private let cpuHasAVX512 = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
    .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").contains("avx512f") ?? false

@Suite("OpenBLAS kernel pin", .serialized)
struct KernelPinEndToEndTests {
    /// The synthetic prime case of the digest fixture run through `/usr/bin/env` with `env`
    /// (`-u NAME` entries unset); its digests and recorded environment.
    func search(_ run: URL, data: URL, env: [String]) throws -> (digests: [String], environment: [String: String]) {
        let exe = try dartsprimeBinary()
        let args = ["-u", "DARTSPRIME_OPENBLAS_CORETYPE"] + env + [exe.path, "search", "--profile", "tiny", "--seed", "101",
                    "--run", run.path, "--dataset", "cifar10", "--data", data.path, "--method", "prime", "--max-steps", "4"]
        let r = try execute(URL(fileURLWithPath: "/usr/bin/env"), args)
        try #require(r.status == 0, "search failed under \(env): \(r.err)")
        let store = try RunStore.open(at: run, readOnly: true)
        // Step 0 (the initial state) is not in the fixture, which records the steps after it.
        return (try store.history().filter { $0.step > 0 }.map(\.stateDigest), store.environment)
    }

    @Test func everyCallerKernelChoiceGivesTheRecordedDigests() throws {
        let dir = scratch("kernel-pin")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("cifar")
        try DigestFixture.writeSyntheticCIFAR(into: data)
        let recorded = Array(try #require(try DigestFixture.recorded()["synthetic-prime"]).prefix(4))

        var families = ["-u OPENBLAS_CORETYPE", "OPENBLAS_CORETYPE=Haswell", "OPENBLAS_CORETYPE=Zen"]
        if cpuHasAVX512 { families.append("OPENBLAS_CORETYPE=SkylakeX") } else {
            print("skipping OPENBLAS_CORETYPE=SkylakeX: this CPU has no AVX-512")
        }
        for (i, family) in families.enumerated() {
            for threads in ["1", "2"] {
                let env = family.split(separator: " ").map(String.init) + ["DARTSPRIME_THREADS=\(threads)"]
                let got = try search(dir.appendingPathComponent("run-\(i)-\(threads)"), data: data, env: env)
                #expect(got.digests == recorded, "\(family), \(threads) workers: digests differ from the fixture")
                #expect(got.environment["openblas_core"] == "Haswell", "\(family): ran \(got.environment["openblas_core"] ?? "?")")
                #expect(got.environment["bit_exact_across_machines"] == "true")
                #expect(got.environment["worker_threads"] == threads)
            }
        }
    }

    @Test func runAndCheckpointsRecordTheEnvironment() throws {
        let dir = scratch("kernel-env")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("cifar")
        try DigestFixture.writeSyntheticCIFAR(into: data)
        let run = dir.appendingPathComponent("run")
        let got = try search(run, data: data, env: [])
        for key in ["openblas_config", "openblas_core", "openblas_threads", "worker_threads", "cpu_model",
                    "cpu_avx2", "cpu_fma", "cpu_avx512f", "git_commit", "executable_sha256"] {
            #expect(got.environment[key] != nil, "run.json environment lacks \(key)")
        }
        #expect(got.environment["openblas_threads"] == "1")
        #expect(got.environment["openblas_config"]?.contains("OpenBLAS") == true)
        #expect(got.environment["executable_sha256"]?.count == 64)
        let store = try RunStore.open(at: run, readOnly: true)
        let newest = try #require(store.storedSteps.last)
        let file = run.appendingPathComponent("checkpoints").appendingPathComponent(String(format: "step-%08d.h5", newest))
        let contents = try CheckpointFile.read(file)
        #expect(contents.environment["openblas_core"] == "Haswell")
        #expect(contents.environment["executable_sha256"] == got.environment["executable_sha256"])
    }

    @Test(.enabled(if: cpuHasAVX512, "this CPU has no AVX-512: the SkylakeX negative control cannot run"))
    func bypassingThePinChangesTheBits() throws {
        let dir = scratch("kernel-unpinned")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("cifar")
        try DigestFixture.writeSyntheticCIFAR(into: data)
        let recorded = Array(try #require(try DigestFixture.recorded()["synthetic-prime"]).prefix(4))
        let got = try search(dir.appendingPathComponent("run"), data: data, env: [])
        #expect(got.digests == recorded)
        let exe = try dartsprimeBinary()
        let run = dir.appendingPathComponent("forced")
        let r = try execute(URL(fileURLWithPath: "/usr/bin/env"), ["DARTSPRIME_OPENBLAS_CORETYPE=SkylakeX", exe.path, "search",
            "--profile", "tiny", "--seed", "101", "--run", run.path, "--dataset", "cifar10", "--data", data.path,
            "--method", "prime", "--max-steps", "4"])
        try #require(r.status == 0, "\(r.err)")
        let store = try RunStore.open(at: run, readOnly: true)
        #expect(try store.history().filter { $0.step > 0 }.map(\.stateDigest) != recorded, "SkylakeX kernels gave Haswell's bits: the pin test proves nothing")
        #expect(store.environment["openblas_core"] == "SkylakeX")
        #expect(store.environment["bit_exact_across_machines"] == "false")
        #expect(store.environment["bit_exact_caveat"]?.contains("DARTSPRIME_OPENBLAS_CORETYPE") == true)
    }
}
