// The test cluster itself (Support/SlurmCluster.swift) on a trivial job: a 2-task `--requeue`
// array whose task 1 is requeued with `scontrol requeue` while it runs and made eligible at once;
// both tasks must finish, task 1 twice started and once restarted, task 0 untouched, and nothing
// the cluster started may be left running.
import Foundation
import Testing

@Suite(.serialized, .enabled(if: SlurmCluster.unavailableReason == nil, Comment(rawValue: SlurmCluster.unavailableReason ?? "")))
struct SlurmClusterTests {
    @Test func aRequeuedArrayTaskRunsAgainAndBothFinish() throws {
        let cluster = try SlurmCluster.start()
        defer { cluster.stop() }
        let dir = cluster.root.appendingPathComponent("job dir")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // Task 1's first run waits (at most 120 s) to be requeued; every other run ends at once.
        let script = dir.appendingPathComponent("array.sbatch")
        try """
        #!/bin/bash
        #SBATCH --array=0-1
        #SBATCH --requeue
        #SBATCH --open-mode=append
        #SBATCH --cpus-per-task=1
        #SBATCH --output="\(dir.path)/task-%a.out"
        echo "start $SLURM_ARRAY_TASK_ID restart ${SLURM_RESTART_COUNT:-0}"
        if [ "$SLURM_ARRAY_TASK_ID" = 1 ] && [ "${SLURM_RESTART_COUNT:-0}" = 0 ]; then
          for i in $(seq 1 600); do sleep 0.2; done
          echo "never requeued"; exit 3
        fi
        echo "done $SLURM_ARRAY_TASK_ID"

        """.write(to: script, atomically: true, encoding: .utf8)

        let job = try cluster.submit(script)
        let out1 = dir.appendingPathComponent("task-1.out")
        try cluster.waitFor("task 1 to start", seconds: 60) {
            (try? String(contentsOf: out1, encoding: .utf8))?.contains("start 1 restart 0") == true
        }
        #expect(try cluster.arrayTaskStates(job)[1] == "RUNNING")
        try cluster.requeueNow(job: job, task: 1)
        try cluster.waitFor("both tasks to complete", seconds: 90) {
            let states = try cluster.arrayTaskStates(job)
            return states.count == 2 && states.values.allSatisfy { !["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED"].contains($0) }
        }
        #expect(try cluster.arrayTaskStates(job) == [0: "COMPLETED", 1: "COMPLETED"])
        #expect(try cluster.field("Restarts", job: job, task: 1) == "1")
        #expect(try cluster.field("Restarts", job: job, task: 0) == "0")
        let log1 = try String(contentsOf: out1, encoding: .utf8)
        #expect(log1.contains("start 1 restart 0") && log1.contains("start 1 restart 1") && log1.contains("done 1"), "\(log1)")
        #expect(!log1.contains("never requeued"))
        let log0 = try String(contentsOf: dir.appendingPathComponent("task-0.out"), encoding: .utf8)
        #expect(log0 == "start 0 restart 0\ndone 0\n", "\(log0)")
        // Accounting is off: sacct answers with an error, never with made-up job data.
        let sacct = try cluster.tool("sacct", ["-n", "-j", job])
        #expect(sacct.status != 0 || sacct.out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(sacct)")

        // The control for the sweep below: the running daemons are found by it.
        #expect(!cluster.leftoverProcesses().isEmpty)
        cluster.stop()
        #expect(cluster.leftoverProcesses().isEmpty, "processes left running: \(cluster.leftoverProcesses())")
        #expect(!FileManager.default.fileExists(atPath: cluster.root.path))
    }
}
