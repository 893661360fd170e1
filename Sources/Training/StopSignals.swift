// SIGINT/SIGTERM/SIGHUP as a stop request the step loop reads between steps, so a preempted
// run commits its step and exits with a status a scheduler requeues (75). SIGPIPE is ignored:
// a closed stdout or stderr makes writes fail as errors instead of killing an uncommitted step.

#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Stop signals received so far (lock-free: read and written by the signal handler).
private let stopSignalCount = Atomic<Int32>(0)
/// Above 0 while the second signal must not exit at once: during a commit, and once the loop
/// has decided to stop (it then commits nothing more and exits 75 itself).
private let exitDeferral = Atomic<Int32>(0)
/// The line a second signal prints before exiting at once (set before the loop starts).
nonisolated(unsafe) private var immediateExitLine: UnsafeMutablePointer<CChar>? = nil
nonisolated(unsafe) private var immediateExitLineLength = 0

/// Counts the signal; a second one outside a commit prints the prepared line and exits 75
/// (only async-signal-safe calls: atomics, write, _exit).
private func stopSignalHandler(_ signal: Int32) {
    let count = stopSignalCount.add(1, ordering: .sequentiallyConsistent).newValue
    guard count > 1, exitDeferral.load(ordering: .sequentiallyConsistent) == 0 else { return }
    if let line = immediateExitLine { _ = write(2, line, immediateExitLineLength) }
    _exit(StopSignals.preemptedExitStatus)
}

public enum StopSignals {
    /// Exit status of a run stopped by a signal after committing its step (EX_TEMPFAIL, so
    /// schedulers can requeue). A second signal exits with it too.
    public static let preemptedExitStatus: Int32 = 75

    /// SIGINT, SIGTERM and SIGHUP ask the loop to finish the current step, commit it and stop.
    /// A second one while the step is still being computed exits at once with status 75 after
    /// printing `secondSignalLine` (the newest committed step is intact); during a commit, or
    /// once the loop is stopping, it only lets that finish (still 75).
    public static func install(secondSignalLine: String = "stopped at once by a second signal; the newest committed step is intact\n") {
        if immediateExitLine == nil {
            immediateExitLine = strdup(secondSignalLine)
            immediateExitLineLength = secondSignalLine.utf8.count
        }
        signal(SIGINT, stopSignalHandler)
        signal(SIGTERM, stopSignalHandler)
        signal(SIGHUP, stopSignalHandler)
        signal(SIGPIPE, SIG_IGN)
        // A parent may have blocked these signals (the mask is inherited across exec), which
        // would leave the stop request pending forever: unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    public static var stopRequested: Bool { stopSignalCount.load(ordering: .sequentiallyConsistent) > 0 }

    /// The loop's stop check: true once a signal came, and from then on a second signal no
    /// longer exits at once (the caller commits nothing more and returns to exit 75).
    public static func shouldStop() -> Bool {
        guard stopRequested else { return false }
        exitDeferral.add(1, ordering: .sequentiallyConsistent)
        return true
    }

    /// Runs `body` (a commit) with a second signal's immediate exit held off until it is done.
    public static func deferringExit<T>(_ body: () throws -> T) rethrows -> T {
        exitDeferral.add(1, ordering: .sequentiallyConsistent)
        defer { exitDeferral.subtract(1, ordering: .sequentiallyConsistent) }
        return try body()
    }
}
