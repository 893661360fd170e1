// Replay of discretisation: the genotype derived from the history's activated α equals what the
// search recorded at every epoch end and its final genotype, and works for steps whose
// checkpoints retention deleted (checked against a run that kept every checkpoint).

import Testing
import Foundation
import Analysis
import Search
import Training
import RunStore
import Architecture
import TestSupport

@Suite("Replay", .serialized)
struct ReplayTests {
    /// A tiny search run to the end in `dir`, keeping `keepLast` newest checkpoints.
    static func search(_ method: String, _ dir: URL, keepLast: Int) throws {
        var c = TinySearch.configuration(method)
        c.keepLast = keepLast
        c.keepEvery = 0
        _ = try RunLauncher(kinds: [CNNSearch.self]).start(try CNNSearch(configuration: c, dataset: TinySearch.dataset),
                                                           directory: dir, maxSteps: nil)
    }

    @Test("replay equals the recorded genotypes at epoch ends and the checkpoints' α, pruned or not",
          arguments: ["prime", "darts+crb"])
    func replayMatchesRecordedGenotypes(_ method: String) throws {
        let pruned = TinySearch.temporaryDirectory("replay-pruned"), kept = TinySearch.temporaryDirectory("replay-kept")
        defer { for d in [pruned, kept] { try? FileManager.default.removeItem(at: d) } }
        try Self.search(method, pruned, keepLast: 1)
        try Self.search(method, kept, keepLast: 1000)

        let replay = try Replay(directory: pruned)
        let steps = try replay.allSteps()
        #expect(steps.map(\.step) == Array(0..<steps.count))  // step 0: the initial α
        let epochEnds = steps.filter(\.epochEnd)
        #expect(epochEnds.count == 2)
        for s in epochEnds {
            let recorded = try String(contentsOf: pruned.appendingPathComponent("genotype_epoch\(s.epoch - 1).txt"), encoding: .utf8)
            #expect(s.genotype.description + "\n" == recorded, "epoch end at step \(s.step)")
            #expect(try replay.store.load(step: s.step).strings["genotype"] == s.genotype.description)
        }
        let final = try String(contentsOf: pruned.appendingPathComponent("genotype.txt"), encoding: .utf8)
        #expect(try replay.step().genotype.description + "\n" == final)

        // Steps whose checkpoints retention deleted: the history alone gives the genotype the
        // checkpoint's α would have given (same search, every checkpoint kept).
        let other = try Replay(directory: kept)
        let deleted = steps.map(\.step).filter { !replay.store.storedSteps.contains($0) }
        #expect(deleted.count >= steps.count - 3)
        for s in deleted {
            #expect(try replay.step(s).genotype == other.genotypeOfCheckpoint(s), "step \(s)")
        }
        // `changed` marks exactly the steps whose genotype differs from the one before.
        for (a, b) in zip(steps, steps.dropFirst()) { #expect(b.changed == (a.genotype != b.genotype)) }
        #expect(steps.first?.changed == false)
    }

    @Test func unknownStepsAndOtherRunKindsAreOneSentenceErrors() throws {
        let dir = TinySearch.temporaryDirectory("replay-errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.search("darts", dir, keepLast: 2)
        let replay = try Replay(directory: dir)
        #expect(throws: ReplayError.noSuchStep(run: replay.store.url.path, step: 999, last: 12)) { try replay.step(999) }

        let toy = TinySearch.temporaryDirectory("replay-toy")
        defer { try? FileManager.default.removeItem(at: toy) }
        let store = try RunStore.create(at: toy, configurationJSON: "{}", environment: [:], runKind: "cnn-evaluation")
        store.close()
        #expect { try Replay(directory: toy) } throws: { "\($0)".contains("cnn-evaluation run") }
    }
}
