// The demo's default run folder: artifacts/runs/demo when free, else the first free demo-N; an
// earlier demo (or anything else there) is never replaced.

import Foundation
import Testing
@testable import dartsprime

@Suite struct DemoDirectoryTests {
    @Test func takenFoldersAreSkippedNeverReused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("demo-dir-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = dir.appendingPathComponent("demo")
        #expect(DemoCommand.freshDirectory(base: base) == base)  // missing: free
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        #expect(DemoCommand.freshDirectory(base: base) == base)  // empty: free
        try Data("{}".utf8).write(to: base.appendingPathComponent("status.json"))
        #expect(DemoCommand.freshDirectory(base: base).lastPathComponent == "demo-2")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("demo-2"), withIntermediateDirectories: true)
        try Data().write(to: dir.appendingPathComponent("demo-2/x"))
        try Data().write(to: dir.appendingPathComponent("demo-3"))  // a file is taken too
        #expect(DemoCommand.freshDirectory(base: base).lastPathComponent == "demo-4")
        #expect(FileManager.default.fileExists(atPath: base.appendingPathComponent("status.json").path))
    }

    @Test func badEnvironmentIsNamed() {
        #expect(CommandExit.environmentProblem([:]) == nil)
        #expect(CommandExit.environmentProblem(["DARTSPRIME_THREADS": "4", "DARTSPRIME_SPIN_US": "0"]) == nil)
        for bad in ["0", "-1", "x", "1.5", "", "100000"] {
            #expect(CommandExit.environmentProblem(["DARTSPRIME_THREADS": bad])?.contains("DARTSPRIME_THREADS") == true, "\(bad)")
            #expect(CommandExit.environmentProblem(["SLURM_CPUS_PER_TASK": bad])?.contains("SLURM_CPUS_PER_TASK") == true, "\(bad)")
        }
        #expect(CommandExit.environmentProblem(["SLURM_CPUS_PER_TASK": "2"]) == nil)
    }
}
