// A child of this executable for one experiment task, and the stop signals forwarded to it.
//
// Why child processes and not runs in this process: a task that traps (a precondition, memory
// exhaustion) or leaves global state behind (the stop-signal counters, the worker pool) cannot
// take the rest of the queue with it, and each task runs exactly the path a scheduler's array
// task runs (`experiment --task N`). The child gets its own process group so that a terminal's
// Ctrl-C or a `kill -TERM` of the queue reaches it once, through the parent: it then commits its
// step and exits 75, as `search` does; a second signal is forwarded too and stops it at once.
// A queue that dies without forwarding anything (SIGKILL, the OOM killer) must not leave its child
// training on unseen: the child asks the kernel for a SIGTERM when its parent goes
// (`stopWithQueueParent`), so it commits its step and exits 75, and the next queue resumes it.

#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import Synchronization
import CProcessControl
import Training

/// The running child (0: none) and the stop signals this process received.
private let runningChild = Atomic<Int32>(0)
private let stopSignalsReceived = Atomic<Int32>(0)

/// Counts the signal and passes it on to the child (async-signal-safe: atomics and kill).
private func forwardStopSignal(_ signal: Int32) {
    stopSignalsReceived.add(1, ordering: .sequentiallyConsistent)
    let child = runningChild.load(ordering: .sequentiallyConsistent)
    if child > 0 { kill(child, signal) }
}

enum ChildProcess {
    static let stopSignals = [SIGINT, SIGTERM, SIGHUP]

    /// From now on SIGINT/SIGTERM/SIGHUP are counted and forwarded to the running child.
    static func installSignalForwarding() {
        for s in stopSignals { signal(s, forwardStopSignal) }
        signal(SIGPIPE, SIG_IGN)
        var set = signalSet()
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    static var stopRequested: Bool { stopSignalsReceived.load(ordering: .sequentiallyConsistent) > 0 }

    /// This executable's absolute path (what a child, or a Slurm task, runs).
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// Runs this executable with `arguments` (its stdout onto our stderr: the queue's stdout is
    /// the summary) and returns its exit status, or 128 + the signal that ended it.
    static func runSelf(_ arguments: [String]) throws -> Int32 {
        let executable = executablePath
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = signalSet()
        sigaddset(&defaults, SIGPIPE)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, 2, 1)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The environment, with this process named as the child's queue parent.
        var inherited: [String] = []
        var e = environ
        while let entry = e.pointee {
            let text = String(cString: entry)
            if !text.hasPrefix(queueParentVariable + "=") { inherited.append(text) }
            e += 1
        }
        let envp: [UnsafeMutablePointer<CChar>?] = (inherited + ["\(queueParentVariable)=\(getpid())"]).map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        // Signals held until the child's pid is recorded, so one arriving meanwhile still reaches it.
        var stops = signalSet(), previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &stops, &previous)
        var pid = pid_t()
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        if rc == 0 { runningChild.store(pid, ordering: .sequentiallyConsistent) }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        guard rc == 0 else { throw RuntimeFailure("\(executable): cannot start a task (\(String(cString: strerror(rc))))") }
        defer { runningChild.store(0, ordering: .sequentiallyConsistent) }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw RuntimeFailure("waiting for task process \(pid): \(String(cString: strerror(errno)))") }
        }
        let signalled = status & 0x7f
        return signalled == 0 ? (status >> 8) & 0xff : 128 + signalled
    }

    /// Set in a queue child's environment to the queue's pid.
    static let queueParentVariable = "DARTSPRIME_QUEUE_PARENT"

    /// In a queue's child (`experiment --task N` started by `runSelf`): a SIGTERM when the queue
    /// dies, as if it had forwarded one. A queue already gone before that was set up (the child
    /// is then an orphan) stops the task before it starts: exit 75, nothing begun.
    static func stopWithQueueParent() throws {
        guard let text = ProcessInfo.processInfo.environment[queueParentVariable], let parent = pid_t(text) else { return }
        if dartsprime_set_parent_death_signal(SIGTERM) != 0 {
            StandardStreams.writeError("experiment: cannot ask to be stopped with the queue (prctl: \(String(cString: strerror(errno)))); continuing\n")
        }
        if getppid() != parent {
            StandardStreams.writeError("experiment: the queue (pid \(parent)) is gone; the task did not start; run the queue again\n")
            throw ExitCode(StopSignals.preemptedExitStatus)
        }
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in stopSignals { sigaddset(&set, s) }
        return set
    }
}
