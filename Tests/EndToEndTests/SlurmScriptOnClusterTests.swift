// The generated job arrays (Sources/Cluster/SlurmScript.swift) on the real test cluster, with a
// stand-in for `dartsprime experiment --task N` that behaves like it: one SIGTERM → exit 75 after
// "committing", a second start → "finished" at once (exit 0). Task 0 gets the lead-time signal
// path (USR1 to the batch shell alone, as --signal=B:USR1 sends it), task 1 the preemption path
// (SIGTERM to every process of the job); each must reach the run exactly once, be requeued by the
// script and finish; the evaluation array starts task by task only after its search.
import Cluster
import Foundation
import Testing

@Suite(.serialized, .enabled(if: SlurmCluster.unavailableReason == nil, Comment(rawValue: SlurmCluster.unavailableReason ?? "")))
struct SlurmScriptOnClusterTests {
    static let standIn = """
    #!/bin/bash
    # experiment --dir DIR --task N, as far as Slurm can tell.
    dir="$3"; task="$5"; restart="${SLURM_RESTART_COUNT:-0}"
    echo "start $task restart $restart" >> "$dir/sequence"
    stop=0
    trap 'stop=1; echo term >> "$dir/terms-$task"' TERM
    if [ "$restart" != 0 ] || [ "$task" -ge 2 ]; then echo "finished $task" >> "$dir/sequence"; exit 0; fi
    for i in $(seq 1 600); do
      sleep 0.2
      if [ $stop = 1 ]; then sleep 0.5; echo "stopped $task" >> "$dir/sequence"; exit 75; fi
    done
    exit 3

    """

    @Test func stoppedTasksAreRequeuedAndEvaluationsWaitForTheirSearch() throws {
        let cluster = try SlurmCluster.start()
        defer { cluster.stop() }
        let grid = cluster.root.appendingPathComponent("grid dir")
        let logs = grid.appendingPathComponent("slurm")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let exe = grid.appendingPathComponent("fake dartsprime")
        try Self.standIn.write(to: exe, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: exe.path)

        let settings = SlurmSettings(partition: cluster.partition, cpusPerTask: 1, signalLeadSeconds: 60)
        let searchScript = logs.appendingPathComponent("search.sbatch")
        try SlurmScript.search(executable: exe.path, gridDirectory: grid.path, count: 2, settings: settings).text()
            .write(to: searchScript, atomically: true, encoding: .utf8)
        let search = try cluster.submit(searchScript)
        let evaluateScript = logs.appendingPathComponent("evaluate.sbatch")
        try SlurmScript.evaluation(executable: exe.path, gridDirectory: grid.path, count: 2, firstTask: 2,
                                   afterSearchJob: search, settings: settings).text()
            .write(to: evaluateScript, atomically: true, encoding: .utf8)
        let evaluate = try cluster.submit(evaluateScript)

        let sequence = grid.appendingPathComponent("sequence")
        func lines() -> [String] { ((try? String(contentsOf: sequence, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
        try cluster.waitFor("both searches to start", seconds: 60) { lines().contains("start 0 restart 0") && lines().contains("start 1 restart 0") }
        // The evaluations wait on their searches.
        #expect(try cluster.field("Reason", job: evaluate, task: 0) == "Dependency")

        // Task 0: the lead-time signal, to the batch shell alone. Task 1: Slurm's own SIGTERM to every process.
        #expect(try cluster.tool("scancel", ["--signal=USR1", "--batch", "\(search)_0"]).status == 0)
        #expect(try cluster.tool("scancel", ["--signal=TERM", "--full", "\(search)_1"]).status == 0)
        for task in [0, 1] { try cluster.makeEligibleNow(job: search, task: task) }
        try cluster.waitFor("all four tasks to complete", seconds: 120) {
            let states = Array(try cluster.arrayTaskStates(search).values) + Array(try cluster.arrayTaskStates(evaluate).values)
            return states.count == 4 && states.allSatisfy { $0 == "COMPLETED" }
        }

        for task in [0, 1] {
            let terms = try String(contentsOf: grid.appendingPathComponent("terms-\(task)"), encoding: .utf8)
            #expect(terms == "term\n", "task \(task) got \(terms.split(separator: "\n").count) SIGTERMs")
            #expect(try cluster.field("Restarts", job: search, task: task) == "1")
            let err = try String(contentsOf: logs.appendingPathComponent("search-\(task).err"), encoding: .utf8)
            #expect(err.contains("grid task \(task) stopped after committing its step (exit 75); requeueing job"), "\(err)")
        }
        let seen = lines()
        for task in [0, 1] {
            #expect(seen.filter { $0 == "start \(task) restart 0" }.count == 1 && seen.contains("stopped \(task)"))
            // Evaluation array task i (grid task 2 + i) ran once, after search task i finished.
            let finished = try #require(seen.firstIndex(of: "finished \(task)"))
            let evaluation = try #require(seen.firstIndex(of: "start \(task + 2) restart 0"), "\(seen)")
            #expect(evaluation > finished, "\(seen)")
            #expect(seen.filter { $0.hasPrefix("start \(task + 2) ") }.count == 1)
        }
        #expect(FileManager.default.fileExists(atPath: logs.appendingPathComponent("evaluate-0.out").path))
    }
}
