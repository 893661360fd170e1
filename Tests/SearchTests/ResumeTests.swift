// Bit-exact resume, proven: for every method a straight run and runs interrupted at chosen
// steps then resumed have identical state digests at every step and identical final state; a
// negative control per state entry shows the comparison catches each piece that is not restored.

import Testing
import Foundation
@testable import Search
import Training
import RunStore
import ImageData

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
            try TinyRuns.start(c, dir, maxSteps: k)
            // Read-only: a writable open holds the run's lock until the store is freed, which the
            // resume below must not race.
            #expect(try RunStore.open(at: dir, readOnly: true).latestStep == k)
            try TinyRuns.resume(c, dir)
            #expect(try TinyRuns.digests(dir) == reference, "\(method): interrupted at step \(k)")
            #expect(try TinyRuns.finalCheckpoint(dir) == TinyRuns.finalCheckpoint(straightDir))
        }
    }

    /// For each state entry, a method (and settings) under which it carries information in a tiny run.
    static let negativeControls: [(entry: String, method: String)] = [
        ("model", "darts"),
        ("optimizer/sgd", "darts"),
        ("optimizer/adam", "darts"),
        ("counters", "darts"),
        ("schedule", "prime"),              // FIMT τ and F̄
        ("regularizer", "darts+admm"),      // ADMM Z, U and its step count (an update every 10 α steps)
        ("data/train_stream", "darts"),
        ("data/alpha_stream", "darts"),
        ("crb", "darts+crb"),               // CRB pruning masks, with an α learning rate that prunes early
    ]

    static func negativeControlConfiguration(_ entry: String, _ method: String) -> SearchConfiguration {
        var c = TinyRuns.configuration(method)
        if entry == "crb" { c.archLearningRate = 0.05 }
        return c
    }

    @Test("the negative controls cover every state entry of the search")
    func negativeControlsCoverEveryEntry() throws {
        for method in Set(Self.negativeControls.map(\.method)) {
            let search = try CNNSearch(configuration: TinyRuns.configuration(method), dataset: TinyRuns.dataset)
            #expect(search.stateEntries.map(\.key).sorted() == Self.negativeControls.map(\.entry).sorted())
        }
    }

    @Test("negative control: a state entry left out of the restore breaks the equality",
          arguments: Self.negativeControls.map { "\($0.entry) \($0.method)" })
    func negativeControl(_ control: String) throws {
        let parts = control.split(separator: " ").map(String.init)
        let (skipped, method) = (parts[0], parts[1])
        let c = Self.negativeControlConfiguration(skipped, method)
        let straightDir = TinyRuns.temporaryDirectory("nc-straight")
        let dir = TinyRuns.temporaryDirectory("nc")
        defer {
            try? FileManager.default.removeItem(at: straightDir)
            try? FileManager.default.removeItem(at: dir)
        }
        let straight = try TinyRuns.start(c, straightDir)
        let history = try RunStore.open(at: straightDir).history()
        if skipped == "crb" {
            let pruned = try TinyRuns.finalCheckpoint(straightDir).arrays["crb/pruned_normal"]
            #expect(pruned?.data != .uint8([UInt8](repeating: 0, count: pruned?.count ?? 0)), "nothing was pruned")
        }
        // ADMM: resume after its first Z/U update (α step 10); otherwise mid first epoch.
        let stop = skipped == "regularizer"
            ? try #require(history.first { $0.values["alpha_steps_total"] == 10 }?.step)
            : straight.batchesPerEpoch / 2 + 1
        try TinyRuns.start(c, dir, maxSteps: stop)
        do {
            try TinyRuns.resume(c, dir, skipping: [skipped])
        } catch {
            // Counters left at step 0 make the trainer recommit stored steps, which the store refuses:
            // also a detection, as long as it is that refusal.
            #expect(skipped == "counters" && "\(error)".contains("step"), "\(skipped): \(error)")
            return
        }
        #expect(try TinyRuns.digests(dir) != TinyRuns.digests(straightDir), "\(skipped) in \(method)")
    }
}
