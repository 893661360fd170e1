// The shared trainer: the loop commits every step, stops after --max-steps, and start, resume,
// fork and start-or-resume of a run directory give the same bits as an uninterrupted run.

import Testing
import Foundation
import RunStore
@testable import Training

@Suite("Trainer and run directories", .serialized)
struct TrainerTests {
    let launcher = RunLauncher(kinds: [ToyRun.self])

    @Test func straightRunCommitsEveryStepAndFinishes() throws {
        let dir = scratchDirectory("straight")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try launcher.start(ToyRun(ToyConfiguration()), directory: dir, maxSteps: nil)
        guard case let .finished(summary) = outcome else { Issue.record("not finished: \(outcome)"); return }
        #expect(summary.hasPrefix("total="))
        let store = try RunStore.open(at: dir, readOnly: true)
        #expect(store.runKind == "toy")
        let history = try store.history()
        #expect(history.map(\.step) == Array(0...12))  // step 0: the initial state
        #expect(history.filter(\.epochEnd).map(\.step) == [4, 8, 12])
        // Epochs completed after each step: 0,0,0,1 | 1,1,1,2 | 2,2,2,3.
        let epochs: [Double] = history.map { $0.values["epoch"] ?? -1 }
        let expected: [Double] = (0...12).map { step in Double(step / 4) }
        #expect(epochs == expected)
        #expect(try store.readStatus()["state"] == "finished")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("epoch2.txt").path))
        let last = try store.load(step: 12)
        #expect(last.integers["step"] == 12 && last.integers["epoch"] == 3 && last.integers["batch_in_epoch"] == 0)
        #expect(last.arrays["rng/noise"] != nil && last.arrays["model/w"] != nil && last.strings["total"] != nil)
    }

    @Test(arguments: [1, 4, 7])
    func resumeAndForkEqualTheStraightRun(stop: Int) throws {
        let straight = scratchDirectory("s"), part = scratchDirectory("p"), fork = scratchDirectory("f")
        defer { for d in [straight, part, fork] { try? FileManager.default.removeItem(at: d) } }
        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: straight, maxSteps: nil)
        let reference = try digests(straight)
        #expect(try launcher.start(ToyRun(ToyConfiguration()), directory: part, maxSteps: stop) == .stopped(step: stop))
        #expect(try digests(part) == Array(reference.prefix(stop + 1)))
        _ = try launcher.resume(directory: part, maxSteps: nil)
        #expect(try digests(part) == reference)
        // Fork an even step (retention keeps every 2nd) into a new run; the original is untouched.
        let from = 2 * max(1, stop / 2)
        _ = try launcher.resume(directory: straight, fromStep: from, into: fork, maxSteps: nil)
        #expect(try digests(fork) == reference)
        #expect(try digests(straight) == reference)
        #expect(try RunStore.open(at: fork, readOnly: true).runKind == "toy")
    }

    @Test func resumeOfAFinishedRunSaysSo() throws {
        let dir = scratchDirectory("done")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: dir, maxSteps: nil)
        #expect {
            try launcher.resume(directory: dir, maxSteps: nil)
        } throws: { error in
            guard case let TrainingError.finished(m) = error else { return false }
            return m.contains("already finished") && m.contains("total=")
        }
    }

    @Test func startOrResumeIsIdempotent() throws {
        let dir = scratchDirectory("sor"), straight = scratchDirectory("sor-ref")
        defer { for d in [dir, straight] { try? FileManager.default.removeItem(at: d) } }
        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: straight, maxSteps: nil)
        let reference = try digests(straight)
        #expect(try launcher.startOrResume(ToyRun(ToyConfiguration()), directory: dir, maxSteps: 5) == .stopped(step: 5))
        #expect(try launcher.startOrResume(ToyRun(ToyConfiguration()), directory: dir, maxSteps: 3) == .stopped(step: 8))
        let done = try launcher.startOrResume(ToyRun(ToyConfiguration()), directory: dir, maxSteps: nil)
        #expect(try digests(dir) == reference)
        guard case .finished = done else { Issue.record("not finished: \(done)"); return }
        // Finished: returns at once and changes nothing.
        let again = try launcher.startOrResume(ToyRun(ToyConfiguration()), directory: dir, maxSteps: nil)
        #expect(again == done)
        #expect(try digests(dir) == reference)
        // Another configuration in the same directory is refused, not overwritten.
        var other = ToyConfiguration()
        other.seed = 6
        #expect(throws: TrainingError.self) { try launcher.startOrResume(ToyRun(other), directory: dir, maxSteps: nil) }
        #expect(try digests(dir) == reference)
    }

    @Test func runsOfAnUnknownKindAreRefusedWithTheFileNamed() throws {
        let dir = scratchDirectory("kind")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: dir, maxSteps: 2)
        let other = RunLauncher(kinds: [])
        #expect {
            try other.resume(directory: dir, maxSteps: nil)
        } throws: { error in
            "\(error)".contains(dir.appendingPathComponent("run.json").path) && "\(error)".contains("'toy'")
        }
    }

    @Test func aRunJsonWithoutRunKindIsACNNSearch() throws {
        let dir = scratchDirectory("old")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try RunStore.create(at: dir, configurationJSON: "{}", environment: [:])
        store.close()
        let text = try String(contentsOf: dir.appendingPathComponent("run.json"), encoding: .utf8)
        #expect(!text.contains("run_kind"))
        #expect(try RunStore.open(at: dir, readOnly: true).runKind == "cnn-search")
    }
}
