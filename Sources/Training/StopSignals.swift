// SIGINT/SIGTERM as a stop request the step loop reads between steps, so a preempted run
// commits its step and exits with a status a scheduler requeues.

#if canImport(Glibc)
import Glibc
#endif

/// Process-wide stop request, set from a signal handler and read between steps.
nonisolated(unsafe) private var stopSignalCount: Int32 = 0

public enum StopSignals {
    /// Exit status of a run stopped by SIGINT/SIGTERM after committing its step (EX_TEMPFAIL,
    /// so schedulers can requeue).
    public static let preemptedExitStatus: Int32 = 75

    /// SIGINT and SIGTERM ask the loop to finish the current step, commit it and stop; a second
    /// signal exits at once (the last committed step stays intact).
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            stopSignalCount += 1
            if stopSignalCount > 1 { _exit(130) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may have blocked these signals (the mask is inherited across exec), which
        // would leave the stop request pending forever: unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    public static var stopRequested: Bool { stopSignalCount > 0 }
}
