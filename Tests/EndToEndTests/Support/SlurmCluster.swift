// A real single-node Slurm for one test (issue 16): Debian's munged, slurmctld and slurmd started
// as children of the test with everything in a temporary directory (munge key and socket, a
// generated slurm.conf that SLURM_CONF points to, state, spool, logs), and stopped by their
// process ids afterwards, together with anything their jobs left behind. Every wait is bounded.
// Accounting storage is off, so `sacct` has nothing to say: job states come from `scontrol show
// job`, which keeps finished jobs for MinJobAge seconds.
import Foundation
import ProcessSupport

struct SlurmUnavailable: Error, CustomStringConvertible {
    var description: String
}

final class SlurmCluster {
    /// The daemons and client tools the cluster needs, as Debian installs them
    /// (slurmctld, slurmd, slurm-client, munge; `make test` installs them).
    static let programs = ["/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd",
                           "/usr/bin/sbatch", "/usr/bin/scontrol", "/usr/bin/squeue", "/usr/bin/scancel", "/usr/bin/sinfo"]

    /// Why no cluster can be started here, or nil: slurmd must run as root, and the packages
    /// must be installed.
    static let unavailableReason: String? = {
        if getuid() != 0 { return "the Slurm cluster test needs root (slurmd runs as root); skipped" }
        if let missing = programs.first(where: { !FileManager.default.isExecutableFile(atPath: $0) }) {
            return "\(missing) is not installed (Debian slurmctld slurmd slurm-client munge; `make test` installs them); skipped"
        }
        return nil
    }()

    let root: URL
    let configuration: URL
    let hostname: String
    let partition = "grid"
    /// The environment a client tool or job needs: this process's plus SLURM_CONF.
    let environment: [String: String]
    /// Started with a clean signal mask (ProcessSupport/CleanSpawn.swift), which their jobs inherit.
    private var daemons: [(name: String, process: SpawnedProcess)] = []

    /// Starts munged, slurmctld and slurmd and waits (bounded) until the node takes jobs.
    /// Throws with the daemons' log tails when they do not come up; stops whatever started.
    static func start() throws -> SlurmCluster {
        if let reason = unavailableReason { throw SlurmUnavailable(description: reason) }
        let cluster = try SlurmCluster()
        do {
            try cluster.startDaemons()
        } catch {
            let logs = cluster.logTails()
            cluster.stop()
            throw SlurmUnavailable(description: "\(error); \(logs)")
        }
        return cluster
    }

    private init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        // munged refuses a socket whose directories are not searchable by all; the key stays private.
        for (dir, mode) in [("", 0o755), ("socket", 0o755), ("key", 0o700), ("state", 0o700), ("spool", 0o755), ("log", 0o755)] {
            let url = dir.isEmpty ? root : root.appendingPathComponent(dir)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        }
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        hostname = String(String(cString: name).prefix { $0 != "." })
        configuration = root.appendingPathComponent("slurm.conf")
        environment = ProcessInfo.processInfo.environment.merging(["SLURM_CONF": configuration.path]) { $1 }
    }

    var mungeSocket: URL { root.appendingPathComponent("socket/munge.socket") }

    private func startDaemons() throws {
        // munge: a fresh random key, the daemon in the foreground with its own paths.
        let key = root.appendingPathComponent("key/munge.key")
        var generator = SystemRandomNumberGenerator()
        try Data((0..<1024).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
        try launch("munged", "/usr/sbin/munged", ["--foreground", "--force", "--key-file=\(key.path)", "--socket=\(mungeSocket.path)",
                                                 "--pid-file=\(root.appendingPathComponent("key/munged.pid").path)",
                                                 "--log-file=\(root.appendingPathComponent("log/munged.log").path)",
                                                 "--seed-file=\(root.appendingPathComponent("key/munged.seed").path)"])
        try waitFor("the munge socket", seconds: 20) { FileManager.default.fileExists(atPath: self.mungeSocket.path) }

        try writeConfiguration(node: try nodeLine())
        try launch("slurmctld", "/usr/sbin/slurmctld", ["-D", "-i"])
        try waitFor("slurmctld to answer", seconds: 30) { (try? self.tool("scontrol", ["ping"]))?.out.contains("UP") == true }
        try launch("slurmd", "/usr/sbin/slurmd", ["-D", "-N", hostname])
        try waitFor("the node to be idle", seconds: 60) {
            let state = (try? self.tool("sinfo", ["-h", "-n", self.hostname, "-o", "%T"]))?.out ?? ""
            return state.hasPrefix("idle") || state.hasPrefix("mixed")
        }
    }

    /// This machine's node line as slurmd measures it (`slurmd -C`: CPUs, sockets, cores,
    /// threads, RealMemory), under the short hostname.
    private func nodeLine() throws -> String {
        let r = try run(URL(fileURLWithPath: "/usr/sbin/slurmd"), ["-C"], environment: environment)
        guard r.status == 0, let line = r.out.split(separator: "\n").first(where: { $0.hasPrefix("NodeName=") }) else {
            throw SlurmUnavailable(description: "slurmd -C did not describe this node (exit \(r.status)): \(r.err)")
        }
        let fields = line.split(separator: " ").filter { !$0.hasPrefix("NodeName=") && !$0.hasPrefix("UpTime=") }
        return (["NodeName=\(hostname)"] + fields.map(String.init) + ["State=UNKNOWN"]).joined(separator: " ")
    }

    private func writeConfiguration(node: String) throws {
        // Ports of their own, so that a system Slurm (or another test's) cannot answer for this one.
        let port = Int.random(in: 20_000..<60_000)
        let path = { (p: String) in self.root.appendingPathComponent(p).path }
        let text = """
        ClusterName=dartsprime-e2e
        SlurmctldHost=\(hostname)
        SlurmctldPort=\(port)
        SlurmdPort=\(port + 1)
        SlurmUser=root
        SlurmdUser=root
        AuthType=auth/munge
        CredType=cred/munge
        AuthInfo=socket=\(mungeSocket.path)
        StateSaveLocation=\(path("state"))
        SlurmdSpoolDir=\(path("spool"))
        SlurmctldPidFile=\(path("slurmctld.pid"))
        SlurmdPidFile=\(path("slurmd.pid"))
        SlurmctldLogFile=\(path("log/slurmctld.log"))
        SlurmdLogFile=\(path("log/slurmd.log"))
        ProctrackType=proctrack/linuxproc
        TaskPlugin=task/none
        SelectType=select/cons_tres
        SelectTypeParameters=CR_Core
        MpiDefault=none
        SwitchType=switch/none
        SchedulerType=sched/backfill
        JobRequeue=1
        ReturnToService=2
        AccountingStorageType=accounting_storage/none
        JobAcctGatherType=jobacct_gather/none
        JobCompType=jobcomp/none
        MailProg=/bin/true
        KillWait=10
        MinJobAge=600
        InactiveLimit=0
        \(node)
        PartitionName=\(partition) Nodes=\(hostname) Default=YES MaxTime=INFINITE State=UP

        """
        try text.write(to: configuration, atomically: true, encoding: .utf8)
    }

    private func launch(_ name: String, _ path: String, _ arguments: [String]) throws {
        let p = try SpawnedProcess.spawn(path, arguments, environment: environment,
                                         log: root.appendingPathComponent("log/\(name).out").path)
        daemons.append((name, p))
        usleep(200_000)
        guard p.isRunning else { throw SlurmUnavailable(description: "\(name) exited at once (status \(p.wait()))") }
    }

    /// Runs a Slurm client tool (`sbatch`, `scontrol`, …) against this cluster.
    @discardableResult
    func tool(_ name: String, _ arguments: [String]) throws -> Outcome {
        try run(URL(fileURLWithPath: "/usr/bin/\(name)"), arguments, environment: environment)
    }

    /// Submits `script` (extra sbatch flags first) and returns the job id.
    func submit(_ script: URL, _ flags: [String] = []) throws -> String {
        let r = try tool("sbatch", ["--parsable"] + flags + [script.path])
        let id = r.out.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard r.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw SlurmUnavailable(description: "sbatch \(script.lastPathComponent) failed (exit \(r.status)): \(r.err)")
        }
        return id
    }

    /// The state of each task of array job `job` (task index → JobState), from `scontrol show job`.
    func arrayTaskStates(_ job: String) throws -> [Int: String] {
        let r = try tool("scontrol", ["show", "job", "-o", job])
        var states: [Int: String] = [:]
        for line in r.out.split(separator: "\n") {
            let fields = Dictionary(line.split(separator: " ").compactMap { f -> (String, String)? in
                guard let eq = f.firstIndex(of: "=") else { return nil }
                return (String(f[..<eq]), String(f[f.index(after: eq)...]))
            }, uniquingKeysWith: { first, _ in first })
            if let task = fields["ArrayTaskId"].flatMap({ Int($0) }), let state = fields["JobState"] { states[task] = state }
        }
        return states
    }

    /// One field of one array task (`Restarts`, `Reason`, `ExitCode`, …).
    func field(_ name: String, job: String, task: Int) throws -> String? {
        let r = try tool("scontrol", ["show", "job", "-o", "\(job)_\(task)"])
        return r.out.split(separator: " ").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }

    /// Requeues one array task and makes it eligible at once (a requeued job otherwise waits
    /// for its begin time, about two minutes later). Bounded: the task must reach PENDING first.
    func requeueNow(job: String, task: Int) throws {
        let id = "\(job)_\(task)"
        let r = try tool("scontrol", ["requeue", id])
        guard r.status == 0 else { throw SlurmUnavailable(description: "scontrol requeue \(id) failed: \(r.err)") }
        try makeEligibleNow(job: job, task: task)
    }

    /// Waits (bounded) until a requeued array task is pending again, then sets its begin time to now.
    func makeEligibleNow(job: String, task: Int) throws {
        let id = "\(job)_\(task)"
        try waitFor("\(id) to be pending again", seconds: 60) { (try self.arrayTaskStates(job))[task] == "PENDING" }
        let u = try tool("scontrol", ["update", "jobid=\(id)", "StartTime=now"])
        guard u.status == 0 else { throw SlurmUnavailable(description: "scontrol update \(id) StartTime=now failed: \(u.err)") }
    }

    /// Polls `condition` every 0.2 s until it holds or `seconds` pass (then throws naming `what`).
    func waitFor(_ what: String, seconds: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            usleep(200_000)
        }
        throw SlurmUnavailable(description: "timed out after \(Int(seconds)) s waiting for \(what)")
    }

    /// The last lines of every daemon log, for a failure message.
    func logTails() -> String {
        let logs = (try? FileManager.default.contentsOfDirectory(at: root.appendingPathComponent("log"), includingPropertiesForKeys: nil)) ?? []
        return logs.sorted { $0.path < $1.path }.map { url in
            let lines = ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").suffix(6)
            return "\(url.lastPathComponent): " + lines.joined(separator: " | ")
        }.joined(separator: "; ")
    }

    /// Cancels every job, stops slurmd, slurmctld and munged by their process ids (TERM, then
    /// KILL after 10 s), ends any process a job left behind, and removes the directory.
    func stop() {
        if daemons.contains(where: { $0.name == "slurmctld" && $0.process.isRunning }) {
            _ = try? tool("scancel", ["--partition=\(partition)"])
            try? waitFor("the queue to empty", seconds: 30) {
                ((try? self.tool("squeue", ["-h", "-o", "%i"]))?.out ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            }
        }
        for (_, p) in daemons.reversed() where p.isRunning {
            kill(p.pid, SIGTERM)
            let deadline = Date().addingTimeInterval(10)
            while p.isRunning && Date() < deadline { usleep(50_000) }
            if p.isRunning { kill(p.pid, SIGKILL); p.wait() }
        }
        daemons.removeAll()
        for pid in leftoverProcesses() { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(at: root)
    }

    /// Processes started under this cluster (slurmstepd, job scripts): they carry its SLURM_CONF
    /// in their environment, which nothing else on the machine does.
    func leftoverProcesses() -> [pid_t] {
        let marker = Data("SLURM_CONF=\(configuration.path)\0".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard pid != getpid(), let env = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return env.range(of: marker) != nil
        }
    }

    deinit { stop() }
}

/// Runs `exe` with exactly `environment`.
private func run(_ exe: URL, _ args: [String], environment: [String: String]) throws -> Outcome {
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    p.environment = environment
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Outcome(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
}
