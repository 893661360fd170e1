// A run whose loss turns non-finite stops at that step without committing it: the newest
// checkpoint stays the last finite step, status.json says `diverged` with the step, and the
// error is one line naming the step and the quantity.

import Testing
import Foundation
import RunStore
import DartsCore
@testable import Training

/// ToyRun whose loss is NaN from step `from` on (as an absurd learning rate would make it).
final class DivergingToyRun: RunKind {
    static let kindName = "diverging-toy"
    let toy: ToyRun
    let from: Int
    init(from: Int) { toy = ToyRun(ToyConfiguration()); self.from = from }
    convenience init(configurationJSON: String) throws { self.init(from: 3) }
    func configurationJSON() throws -> String { "{}" }
    var retention: RetentionPolicy { toy.retention }
    var counters: LoopCounters { get { toy.counters } set { toy.counters = newValue } }
    var batchesPerEpoch: Int { toy.batchesPerEpoch }
    var epochs: Int { toy.epochs }
    var stateEntries: [StateEntry] { toy.stateEntries }
    func endEpoch(_ output: inout StepOutput) throws { try toy.endEpoch(&output) }
    func finish() throws -> RunResult { try toy.finish() }
    func iterate() throws -> StepOutput {
        var out = try toy.iterate()
        if counters.step + 1 >= from { out.loss = .nan }
        out.mustBeFinite = [("gradient norm", 1.0), ("training loss", out.loss)]
        return out
    }
}

@Suite("Divergence", .serialized)
struct DivergenceTests {
    @Test func nonFiniteLossStopsBeforeCommitting() throws {
        let dir = scratchDirectory("diverged")
        defer { try? FileManager.default.removeItem(at: dir) }
        let launcher = RunLauncher(kinds: [DivergingToyRun.self])
        do {
            _ = try launcher.start(DivergingToyRun(from: 3), directory: dir, maxSteps: nil)
            Issue.record("a NaN loss finished the run")
        } catch let TrainingError.diverged(message) {
            #expect(message == "step 3: training loss is nan (diverged); the newest checkpoint is step 2", "\(message)")
        }
        let store = try RunStore.open(at: dir, readOnly: true)
        #expect(store.latestStep == 2)
        #expect(try store.history().map(\.step) == [0, 1, 2])
        let status = try store.readStatus()
        #expect(status["state"] == "diverged" && status["step"] == "3" && status["quantity"] == "training loss")
        #expect(status["newest_checkpoint"] == "2")
    }

    @Test func finiteRunIsNotStopped() throws {
        // Control: the same kind with the NaN beyond the last step finishes.
        let dir = scratchDirectory("finite")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try RunLauncher(kinds: [DivergingToyRun.self]).start(DivergingToyRun(from: 100), directory: dir, maxSteps: nil)
        guard case .finished = outcome else { Issue.record("\(outcome)"); return }
        #expect(try RunStore.open(at: dir, readOnly: true).readStatus()["state"] == "finished")
    }
}

/// A "toy" run whose weight has three entries where ToyRun's has two: restoring a ToyRun
/// checkpoint into it is a shape mismatch.
final class WideToyRun: RunKind {
    static let kindName = "toy"
    let weight = Parameter(name: "w", value: Tensor(shape: [3], scalars: [0, 0, 0]))
    var counters = LoopCounters()
    var retention: RetentionPolicy { RetentionPolicy() }
    var batchesPerEpoch: Int { 4 }
    var epochs: Int { 3 }
    init(configurationJSON: String) throws {}
    func configurationJSON() throws -> String { "{}" }
    func iterate() throws -> StepOutput { StepOutput() }
    func endEpoch(_ output: inout StepOutput) throws {}
    var stateEntries: [StateEntry] { [.parameters("model") { [weight] in [weight] }] }
    func finish() throws -> RunResult { RunResult(summary: "") }
}

@Suite struct ShapeMismatchTests {
    @Test func aStateThatDoesNotFitNamesTheCheckpointFile() throws {
        let dir = scratchDirectory("shape")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try RunLauncher(kinds: [ToyRun.self]).start(ToyRun(ToyConfiguration()), directory: dir, maxSteps: 2)
        do {
            _ = try RunLauncher(kinds: [WideToyRun.self]).resume(directory: dir, maxSteps: nil)
            Issue.record("a [2] weight was restored into a [3] one")
        } catch let TrainingError.incompatibleCheckpoint(message) {
            #expect(message.contains(dir.appendingPathComponent("checkpoints/step-00000002.h5").path) && message.contains("shape"), "\(message)")
        }
    }
}
