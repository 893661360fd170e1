// RunSummary of a tiny search: interrupted (status "running", lock free) versus running (a
// writer holds it), the total step count known before the first epoch end, and once finished
// the genotype, where it last changed, kept checkpoints and sizes. A tiny text search's total is
// its configured epochs × ⌊rows/bptt⌋, stopped mid-epoch (from its checkpoint's text stream) and finished.

import Testing
import Foundation
import Analysis
import Search
import Training
import RunStore
import TestSupport

@Suite("RunSummary", .serialized)
struct RunSummaryTests {
    @Test func interruptedRunningAndFinishedSearches() throws {
        let dir = TinySearch.temporaryDirectory("summary")
        defer { try? FileManager.default.removeItem(at: dir) }
        let configuration = TinySearch.configuration("prime")
        let launcher = RunLauncher(kinds: [CNNSearch.self])
        let total = try CNNSearch(configuration: configuration, dataset: TinySearch.dataset).totalSteps
        _ = try launcher.start(try CNNSearch(configuration: configuration, dataset: TinySearch.dataset), directory: dir, maxSteps: 3)

        let stopped = try RunSummary(directory: dir)
        #expect(stopped.status["state"] == "stopped" && stopped.state == "stopped")
        #expect(stopped.lastStep == 3 && stopped.firstStep == 0 && stopped.historyRows == 4)
        #expect(stopped.totalSteps == total, "known from the newest checkpoint's stream before the first epoch end")
        #expect(stopped.kind == "cnn-search" && stopped.method == "prime" && stopped.seed == 101)
        #expect(stopped.dataset == configuration.dataset.rawValue)

        // A process killed mid-run leaves `running` behind with its lock released: interrupted.
        let writer = try RunStore.open(at: dir)
        try writer.writeStatus(.running, step: 3)
        // Negative control: while a writer holds the run it is running, not interrupted.
        #expect(try RunSummary(directory: dir).state == "running")
        writer.close()
        let killed = try RunSummary(directory: dir)
        #expect(killed.status["state"] == "running" && killed.state == "interrupted")

        _ = try launcher.startOrResume(try CNNSearch(configuration: configuration, dataset: TinySearch.dataset), directory: dir, maxSteps: nil)
        let done = try RunSummary(directory: dir)
        let store = try RunStore.open(at: dir, readOnly: true)
        #expect(done.state == "finished")
        #expect(done.lastStep == total && done.totalSteps == total && done.historyRows == total + 1, "step 0 and every step")
        #expect(done.checkpointsKept == store.storedSteps && !done.checkpointsKept.isEmpty)
        #expect(done.newestStateDigest == (try store.history().last?.stateDigest))
        let genotype = try String(contentsOf: dir.appendingPathComponent("genotype.txt"), encoding: .utf8)
        #expect(done.genotype.map { $0 + "\n" } == genotype)
        let steps = try Replay(directory: dir).allSteps()
        #expect(done.genotypeChangedAt == (steps.last(where: \.changed) ?? steps.first)?.step)
        let checkpointBytes = try store.storedSteps.reduce(0) { sum, s in
            sum + (try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(String(format: "checkpoints/step-%08d.h5", s)).path)[.size] as? Int ?? 0)
        }
        #expect(done.sizes.checkpoints == checkpointBytes)
        #expect(done.sizes.history > 0 && done.sizes.total > done.sizes.checkpoints + done.sizes.history)
    }

    @Test func textSearchTotalsAreTheConfiguredSteps() throws {
        let base = TinySearch.temporaryDirectory("summary-text")
        defer { try? FileManager.default.removeItem(at: base) }
        let run = base.appendingPathComponent("search")
        let search = try TinyTextSearch.run("darts", run, maxSteps: 5)
        // tiny: the first 2000 tokens in 16 columns = 125 rows, ⌊125/10⌋ = 12 batches per epoch, 2 epochs.
        #expect(search.batchesPerEpoch == 12 && search.totalSteps == 24)
        let stopped = try RunSummary(directory: run)
        #expect(stopped.kind == "rnn-search" && stopped.lastStep == 5 && stopped.state == "stopped")
        #expect(stopped.totalSteps == 24, "before the first epoch end: from the checkpoint's text stream")
        #expect(stopped.method == "darts" && stopped.dataset == "ptb" && stopped.seed == 101)
        _ = try RunLauncher(kinds: [RecurrentSearch.self]).startOrResume(
            try RecurrentSearch(configurationJSON: try RunStore.open(at: run, readOnly: true).configurationJSON), directory: run, maxSteps: nil)
        let done = try RunSummary(directory: run)
        #expect(done.state == "finished" && done.lastStep == 24 && done.totalSteps == 24 && done.historyRows == 25)
        #expect(done.genotype?.hasPrefix("Genotype(recurrent=[") == true && done.textEvaluation == nil && done.evaluation == nil)
    }
}
