// The worker count follows the CPUs the process may use: a search started under `taskset -c 0`
// records `worker_threads` = 1 in its run.json environment, DARTSPRIME_THREADS still overrides it, and
// the pinned search's state digests equal those of an unpinned one (results do not depend on the
// thread count) and the recorded fixture's. Inside a Slurm task SLURM_CPUS_PER_TASK sets the count
// the same way, with the same digests.
import Foundation
import Testing

private let taskset = ["/usr/bin/taskset", "/bin/taskset"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite(.serialized, .enabled(if: taskset != nil, "taskset is not installed (util-linux); cannot pin a search to one CPU"))
struct ThreadCountEndToEnd {
    /// Runs the synthetic-data prime case of the digest fixture through `/usr/bin/env`, without
    /// DARTSPRIME_THREADS unless `threads` is given, under `prefix` (e.g. taskset); returns the
    /// run's recorded `threads` and its per-step state digests.
    func search(_ run: URL, data: URL, prefix: [String] = [], threads: String? = nil) throws -> (threads: String, digests: [String]) {
        let exe = try dartsprimeBinary()
        var args = ["-u", "DARTSPRIME_THREADS", "-u", "SLURM_CPUS_PER_TASK"] + (threads.map { ["DARTSPRIME_THREADS=\($0)"] } ?? [])
        args += prefix + [exe.path, "search", "--profile", "tiny", "--seed", "101", "--run", run.path,
                          "--dataset", "cifar10", "--data", data.path, "--method", "prime"]
        let r = try execute(URL(fileURLWithPath: "/usr/bin/env"), args)
        #expect(r.status == 0, "search failed: \(r.err)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("run.json")))
        let environment = (manifest as? [String: Any])?["environment"] as? [String: String]
        let h = try execute(exe, ["export", run.path, "history", "--format", "csv"])
        let lines = h.out.split(separator: "\n").map(String.init)
        let column = lines.first?.split(separator: ",").map(String.init).firstIndex(of: "state_digest")
        let digests = column.map { c in lines.dropFirst().map { String($0.split(separator: ",", omittingEmptySubsequences: false)[c]) } } ?? []
        return (environment?["worker_threads"] ?? "missing", digests)
    }

    /// CPUs this test process may use, as coreutils' nproc counts them (its affinity mask).
    func allowedCPUs() throws -> Int {
        let r = try execute(URL(fileURLWithPath: "/usr/bin/env"), ["-u", "OMP_NUM_THREADS", "-u", "OMP_THREAD_LIMIT", "nproc"])
        return Int(r.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    @Test func pinnedSearchUsesOneWorkerAndGivesTheSameDigests() throws {
        let dir = scratch("threads")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("cifar")
        try DigestFixture.writeSyntheticCIFAR(into: data)
        let taskset = try #require(taskset)

        let pinned = try search(dir.appendingPathComponent("pinned"), data: data, prefix: [taskset, "-c", "0"])
        #expect(pinned.threads == "1")
        let free = try search(dir.appendingPathComponent("free"), data: data)
        #expect(free.threads == String(try allowedCPUs()))
        #expect(pinned.digests.count >= 10)
        #expect(pinned.digests == free.digests, "\(free.threads) workers changed the digests")
        // The fixture records steps ≥ 1 (row 0 is step 0, the initial state).
        #expect(Array(pinned.digests.dropFirst()) == (try DigestFixture.recorded()["synthetic-prime"]), "differs from the recorded fixture")

        // DARTSPRIME_THREADS wins over the mask.
        let forced = try search(dir.appendingPathComponent("forced"), data: data, prefix: [taskset, "-c", "0"], threads: "3")
        #expect(forced.threads == "3")
        #expect(forced.digests == free.digests)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2, "needs two CPUs to tell a Slurm share from the whole mask"))
    func slurmCPUsPerTaskSetsTheWorkersNotTheDigests() throws {
        let dir = scratch("slurm-threads")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("cifar")
        try DigestFixture.writeSyntheticCIFAR(into: data)

        let share = try search(dir.appendingPathComponent("share"), data: data, prefix: ["SLURM_CPUS_PER_TASK=1"])
        #expect(share.threads == "1")
        let free = try search(dir.appendingPathComponent("free"), data: data)
        // The control: without the variable the same search uses every allowed CPU.
        #expect(free.threads == String(try allowedCPUs()) && free.threads != "1")
        #expect(share.digests.count >= 10)
        #expect(share.digests == free.digests, "SLURM_CPUS_PER_TASK changed the digests")
        #expect(Array(share.digests.dropFirst()) == (try DigestFixture.recorded()["synthetic-prime"]), "differs from the recorded fixture")

        // DARTSPRIME_THREADS still wins, and a value Slurm would never set is refused in one line.
        let forced = try search(dir.appendingPathComponent("forced"), data: data, prefix: ["SLURM_CPUS_PER_TASK=1"], threads: "2")
        #expect(forced.threads == "2")
        let exe = try dartsprimeBinary()
        let bad = try execute(exe, ["search", "--profile", "tiny", "--run", dir.appendingPathComponent("bad").path,
                                    "--dataset", "cifar10", "--data", data.path], environment: ["SLURM_CPUS_PER_TASK": "none"])
        #expect(bad.status == 64)
        let lines = bad.err.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("error: SLURM_CPUS_PER_TASK"), "\(bad.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad").path))
    }
}
