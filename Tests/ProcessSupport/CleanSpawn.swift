// Children started with an empty signal mask and default dispositions. The test runner's threads
// block most signals and Foundation's Process passes that mask on, so a shell (or a daemon and
// the jobs it starts) run through Process would never see the USR1 or TERM a test sends it.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class SpawnedProcess: @unchecked Sendable {
    public let pid: pid_t
    private var status: Int32?

    init(pid: pid_t) { self.pid = pid }

    /// Spawns `path` with `arguments` in exactly `environment`, stdin from /dev/null and stdout
    /// plus stderr appended to `log` (nil: /dev/null); with `newProcessGroup` it leads its own
    /// group, so `kill(-pid, …)` signals it and everything it starts, as Slurm signals a job.
    public static func spawn(_ path: String, _ arguments: [String], environment: [String: String], log: String?,
                             newProcessGroup: Bool = false) throws -> SpawnedProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var everySignal = sigset_t(), noSignal = sigset_t()
        sigfillset(&everySignal)
        sigemptyset(&noSignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (newProcessGroup ? POSIX_SPAWN_SETPGROUP : 0)))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw CocoaError(.executableLoad, userInfo: [NSFilePathErrorKey: path, "errno": rc]) }
        return SpawnedProcess(pid: pid)
    }

    /// Reaps the child if it has ended (without blocking).
    public var isRunning: Bool {
        if status != nil { return false }
        var s: Int32 = 0
        guard waitpid(pid, &s, WNOHANG) == pid else { return true }
        status = Self.decode(s)
        return false
    }

    /// Blocks until the child ends: its exit status, or 128 + the signal that ended it.
    @discardableResult
    public func wait() -> Int32 {
        if let status { return status }
        var s: Int32 = 0
        while waitpid(pid, &s, 0) == -1 && errno == EINTR {}
        status = Self.decode(s)
        return status!
    }

    private static func decode(_ s: Int32) -> Int32 {
        (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f)
    }
}
