// The job-array scripts as text: every owned flag present once, the user's settings written as
// given, the task body (background run, USR1 → one TERM, 75 → requeue), quoting of paths with
// spaces, quotes and %, and the script parsing as bash.
@testable import Cluster
import Foundation
import Testing
import ProcessSupport

let everySetting = SlurmSettings(partition: "preempt", account: "nas-lab", timeLimit: try! SlurmTimeLimit("1-02:00:00"),
                                 cpusPerTask: 4, memory: "8G", extraLines: ["--qos=low", "#SBATCH --mail-type=END"],
                                 signalLeadSeconds: 240)

/// The `#SBATCH` lines of `text`, without the prefix.
func sbatchLines(_ text: String) -> [String] {
    text.split(separator: "\n").filter { $0.hasPrefix("#SBATCH ") }.map { String($0.dropFirst("#SBATCH ".count)) }
}

@Suite(.serialized) struct SlurmScriptTests {
    @Test func searchArrayCarriesEveryFlag() throws {
        let text = try SlurmScript.search(executable: "/opt/dp/bin/dartsprime", gridDirectory: "/scratch/grid", count: 8, settings: everySetting).text()
        #expect(text.hasPrefix("#!/bin/bash\n"))
        let lines = sbatchLines(text)
        #expect(lines == [
            "--job-name=dartsprime-search",
            "--array=0-7",
            "--requeue",
            "--signal=B:USR1@240",
            "--open-mode=append",
            "--output=\"/scratch/grid/slurm/search-%a.out\"",
            "--error=\"/scratch/grid/slurm/search-%a.err\"",
            "--partition=preempt",
            "--account=nas-lab",
            "--time=1-02:00:00",
            "--cpus-per-task=4",
            "--mem=8G",
            "--qos=low",
            "--mail-type=END",
        ])
        #expect(!text.contains("--dependency"))
        // Every #SBATCH line comes before the first command (sbatch stops reading them there).
        let body = text.split(separator: "\n").drop { $0.hasPrefix("#") }
        #expect(!body.contains { $0.hasPrefix("#SBATCH") })
    }

    @Test func defaultsLeaveTheClusterToChoose() throws {
        let lines = sbatchLines(try SlurmScript.search(executable: "/x/dartsprime", gridDirectory: "/g", count: 1, settings: SlurmSettings()).text())
        #expect(lines.contains("--array=0-0"))
        #expect(lines.contains("--signal=B:USR1@\(SlurmSettings.defaultSignalLeadSeconds)"))
        for absent in ["--partition", "--account", "--time", "--cpus-per-task", "--mem"] {
            #expect(!lines.contains { $0.hasPrefix(absent) }, "\(absent) written without being asked for")
        }
    }

    @Test func evaluationArrayWaitsTaskByTaskOnTheSearch() throws {
        let script = SlurmScript.evaluation(executable: "/x/dartsprime", gridDirectory: "/g", count: 8, firstTask: 8,
                                            afterSearchJob: "4711", settings: everySetting)
        let text = try script.text()
        let lines = sbatchLines(text)
        #expect(lines.contains("--dependency=aftercorr:4711"))
        #expect(lines.contains("--array=0-7"))
        #expect(lines.contains("--job-name=dartsprime-evaluate"))
        #expect(lines.contains("--output=\"/g/slurm/evaluate-%a.out\""))
        // Array task i runs grid task 8 + i.
        #expect(text.contains("task=$((SLURM_ARRAY_TASK_ID + 8))"))
        #expect(SlurmScript.dependency(afterCorrespondingTasksOf: "12") == "aftercorr:12")
    }

    @Test func bodyRunsTheTaskAndRequeuesAStop() throws {
        let text = try SlurmScript.search(executable: "/x/dartsprime", gridDirectory: "/g", count: 2, settings: SlurmSettings()).text()
        #expect(text.contains("task=$((SLURM_ARRAY_TASK_ID + 0))"))
        #expect(text.contains("\"$executable\" experiment --dir \"$grid\" --task \"$task\" &"))
        #expect(text.contains("trap 'interrupted=1; if [ -n \"$run\" ]; then kill -TERM \"$run\" 2>/dev/null; else stop_early=1; fi' USR1"))
        #expect(text.contains("run=$!\n# A signal that came before the run's id was known is passed on now.\n[ \"$stop_early\" = 1 ] && kill -TERM \"$run\" 2>/dev/null\n"))
        // Slurm's own TERM is not passed on (it already reached the run).
        #expect(text.contains("trap 'interrupted=1' TERM INT HUP"))
        #expect(text.contains("if [ \"$status\" -eq 75 ]; then"))
        #expect(text.contains("scontrol requeue \"$array_task\"") && text.contains("array_task=\"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\""))
        #expect(text.hasSuffix("exit \"$status\"\n"))
        #expect(!text.contains("exec "), "exec would leave nothing to turn exit 75 into a requeue")
    }

    @Test func pathsWithSpacesQuotesAndPercentSurvive() throws {
        let exe = "/opt/my tools/it's/dartsprime"
        let dir = "/scratch/grid 100%/run's"
        let text = try SlurmScript.search(executable: exe, gridDirectory: dir, count: 1, settings: SlurmSettings()).text()
        #expect(text.contains(#"executable='/opt/my tools/it'\''s/dartsprime'"#))
        #expect(text.contains(#"grid='/scratch/grid 100%/run'\''s'"#))
        #expect(sbatchLines(text).contains(#"--output="/scratch/grid 100%%/run's/slurm/search-%a.out""#))
        // bash reads the values back unchanged.
        let echoed = try bash(text.replacingOccurrences(of: "\"$executable\" experiment", with: "printf '%s\\n' \"$executable\" \"$grid\"; exit 0; :"),
                              environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_JOB_ID": "1", "SLURM_JOB_ID": "1"])
        #expect(echoed.out == "\(exe)\n\(dir)\n", "\(echoed)")
    }

    @Test func scriptIsValidBashAndNeedsAnArrayTask() throws {
        let text = try SlurmScript.search(executable: "/x/dartsprime", gridDirectory: "/g", count: 2, settings: everySetting).text()
        #expect(try bash(text, arguments: ["-n"]).status == 0)
        // Run outside sbatch it stops at once, naming what is missing.
        let outside = try bash(text, environment: [:])
        #expect(outside.status != 0 && outside.err.contains("SLURM_ARRAY_TASK_ID"), "\(outside)")
    }

    @Test func statusesMapAsDocumented() throws {
        // A stand-in for dartsprime and scontrol: the body runs it, maps 75 to a requeue, passes others.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-script-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fake = dir.appendingPathComponent("fake-dartsprime")
        try "#!/bin/bash\necho \"$@\" > \"$(dirname \"$0\")/args\"\nexit $FAKE_STATUS\n".write(to: fake, atomically: true, encoding: .utf8)
        let scontrol = dir.appendingPathComponent("scontrol")
        try "#!/bin/bash\necho \"$@\" >> \"$(dirname \"$0\")/scontrol.log\"\n".write(to: scontrol, atomically: true, encoding: .utf8)
        for f in [fake, scontrol] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: f.path) }
        let text = try SlurmScript.search(executable: fake.path, gridDirectory: "/grid dir", count: 4, settings: SlurmSettings()).text()
        let env = ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_JOB_ID": "70", "SLURM_JOB_ID": "77", "PATH": dir.path + ":/usr/bin:/bin"]
        for status in ["0", "1", "64", "65"] {
            let r = try bash(text, environment: env.merging(["FAKE_STATUS": status]) { $1 })
            #expect(r.status == Int32(status)!, "\(status): \(r)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("scontrol.log").path), "requeued a task that was not stopped")
        #expect(try String(contentsOf: dir.appendingPathComponent("args"), encoding: .utf8) == "experiment --dir /grid dir --task 3\n")
        let stopped = try bash(text, environment: env.merging(["FAKE_STATUS": "75"]) { $1 })
        #expect(stopped.status == 75)
        #expect(try String(contentsOf: dir.appendingPathComponent("scontrol.log"), encoding: .utf8) == "requeue 70_3\n")
    }

    @Test func slurmsOwnTermReachesTheRunOnce() throws {
        // Slurm's SIGTERM at preemption or the time limit goes to every process of the job: here
        // the whole process group. The generated script must not pass it on as a second one.
        let generated = try termsFromGroupSignal { $0 }
        #expect(generated.status == 75 && generated.terms == 1, "\(generated)")
        // The control: a script that passes TERM on gives the run two. (The pause keeps the two
        // apart: bash runs a trap once for signals that arrive together, dartsprime counts each.)
        let forwarding = try termsFromGroupSignal {
            $0.replacingOccurrences(of: "trap 'interrupted=1' TERM INT HUP",
                                    with: "trap 'interrupted=1; sleep 0.3; kill -TERM \"$run\"' TERM")
        }
        #expect(forwarding.terms == 2, "\(forwarding)")
    }

    /// Runs the generated script (edited by `edit`) over a stand-in that counts SIGTERMs, sends
    /// SIGTERM to the script's whole process group, and returns the script's status and the count.
    func termsFromGroupSignal(_ edit: (String) -> String) throws -> (status: Int32, terms: Int) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-group-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fake = dir.appendingPathComponent("fake-dartsprime")
        try """
        #!/bin/bash
        # Waits with the wait builtin, which a trapped signal interrupts at once.
        n=0
        trap 'n=$((n+1)); echo term >> "$(dirname "$0")/terms"' TERM
        touch "$(dirname "$0")/started"
        for i in $(seq 1 100); do sleep 0.1 & wait $!; [ $n -gt 0 ] && { sleep 1 & wait $!; wait $!; exit 75; }; done
        exit 0
        """.write(to: fake, atomically: true, encoding: .utf8)
        let scontrol = dir.appendingPathComponent("scontrol")
        try "#!/bin/bash\nexit 0\n".write(to: scontrol, atomically: true, encoding: .utf8)
        for f in [fake, scontrol] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: f.path) }
        let script = dir.appendingPathComponent("task.sbatch")
        try edit(try SlurmScript.search(executable: fake.path, gridDirectory: "/g", count: 1, settings: SlurmSettings()).text())
            .write(to: script, atomically: true, encoding: .utf8)
        let shell = try SpawnedProcess.spawn("/bin/bash", [script.path],
                                             environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_JOB_ID": "4", "SLURM_JOB_ID": "5", "PATH": dir.path + ":/usr/bin:/bin"],
                                             log: nil, newProcessGroup: true)
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("started").path) && Date() < deadline { usleep(20_000) }
        kill(-shell.pid, SIGTERM)
        let status = shell.wait()
        let terms = ((try? String(contentsOf: dir.appendingPathComponent("terms"), encoding: .utf8)) ?? "").split(separator: "\n").count
        return (status, terms)
    }

    @Test func earlySignalBecomesOneTermToTheRun() throws {
        // The stand-in counts the SIGTERMs it gets and exits 75 after the first, as dartsprime does
        // after committing; USR1 sent to the shell alone must reach it exactly once.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-signal-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fake = dir.appendingPathComponent("fake-dartsprime")
        try """
        #!/bin/bash
        n=0
        trap 'n=$((n+1)); echo term >> "$(dirname "$0")/terms"' TERM
        touch "$(dirname "$0")/started"
        for i in $(seq 1 100); do sleep 0.1; [ $n -gt 0 ] && { sleep 0.5; exit 75; }; done
        exit 0
        """.write(to: fake, atomically: true, encoding: .utf8)
        let scontrol = dir.appendingPathComponent("scontrol")
        try "#!/bin/bash\necho \"$@\" >> \"$(dirname \"$0\")/scontrol.log\"\n".write(to: scontrol, atomically: true, encoding: .utf8)
        for f in [fake, scontrol] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: f.path) }
        let script = dir.appendingPathComponent("task.sbatch")
        try SlurmScript.search(executable: fake.path, gridDirectory: "/g", count: 1, settings: SlurmSettings()).text()
            .write(to: script, atomically: true, encoding: .utf8)

        // Not Process: it would pass on the test runner's blocked signals (ProcessSupport/CleanSpawn.swift).
        let shell = try SpawnedProcess.spawn("/bin/bash", [script.path],
                                             environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_JOB_ID": "4", "SLURM_JOB_ID": "5", "PATH": dir.path + ":/usr/bin:/bin"],
                                             log: nil)
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("started").path) && Date() < deadline { usleep(20_000) }
        kill(shell.pid, SIGUSR1)
        #expect(shell.wait() == 75)
        #expect(try String(contentsOf: dir.appendingPathComponent("terms"), encoding: .utf8) == "term\n")
        #expect(try String(contentsOf: dir.appendingPathComponent("scontrol.log"), encoding: .utf8) == "requeue 4_0\n")
    }
}

struct ShellOutcome: CustomStringConvertible {
    var status: Int32, out: String, err: String
    var description: String { "exit \(status), stdout \(out.debugDescription), stderr \(err.debugDescription)" }
}

/// Runs `script` with bash (through a file, as sbatch does) in exactly `environment`. A stand-in
/// written a moment ago can be "busy" for exec while a process forked meanwhile by a test running
/// in parallel still holds its write descriptor: that run is repeated, nothing else is.
func bash(_ script: String, arguments: [String] = [], environment: [String: String] = ["PATH": "/usr/bin:/bin"]) throws -> ShellOutcome {
    var outcome = try bashOnce(script, arguments: arguments, environment: environment)
    for _ in 0..<5 where outcome.err.contains("Text file busy") {
        usleep(200_000)
        outcome = try bashOnce(script, arguments: arguments, environment: environment)
    }
    return outcome
}

private func bashOnce(_ script: String, arguments: [String], environment: [String: String]) throws -> ShellOutcome {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("script-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sh")
    try script.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = arguments + [file.path]
    p.environment = environment
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return ShellOutcome(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
}
