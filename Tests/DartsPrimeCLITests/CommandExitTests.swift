// The exit path's choices: which error gives which documented status, and that a message on
// several lines leaves as one. (The statuses as a shell sees them: EndToEndTests'
// ExitStatusEndToEndTests.)
import ArgumentParser
import Foundation
import RunStore
import Search
import Training
import Testing
@testable import dartsprime

@Suite struct CommandExitTests {
    @Test func statusesAreTheDocumentedOnes() {
        #expect([ExitStatus.success, .failure, .usage, .diverged, .stopped].map(\.rawValue) == [0, 1, 64, 65, 75])
        // 64 is ArgumentParser's own status for parse errors, 75 the signal stop's.
        #expect(ExitStatus.usage.rawValue == ExitCode.validationFailure.rawValue)
        #expect(ExitStatus.stopped.rawValue == StopSignals.preemptedExitStatus)
    }

    @Test func eachErrorKindMapsToItsStatus() {
        #expect(CommandExit.status(for: StoppedBySignal(step: 3, directory: "r")) == .stopped)
        #expect(CommandExit.status(for: ValidationError("--x")) == .usage)
        #expect(CommandExit.status(for: TrainingError.invalidConfiguration("--from-step 3 …")) == .usage)
        #expect(CommandExit.status(for: TrainingError.incompatibleCheckpoint("bad")) == .failure)
        #expect(CommandExit.status(for: TrainingError.diverged("step 2: training loss is nan")) == .diverged)
        #expect(CommandExit.status(for: RuntimeFailure("digest mismatch")) == .failure)
        #expect(CommandExit.status(for: StoreError.io(file: "f", reason: "gone")) == .failure)
        #expect(CommandExit.status(for: CocoaError(.fileNoSuchFile)) == .failure)
    }

    @Test func messagesLeaveOnOneLine() {
        #expect(CommandExit.oneLine("error: HDF5 failed\n  #000: H5F.c line 1\n\n  #001: more") ==
                "error: HDF5 failed #000: H5F.c line 1 #001: more")
        #expect(CommandExit.oneLine("error: plain") == "error: plain")
    }

    @Test func theStopLineSaysHowToContinue() {
        #expect("\(StoppedBySignal(step: 12, directory: "runs/a"))" ==
                "stopped after step 12; continue with: dartsprime resume runs/a")
    }
}
