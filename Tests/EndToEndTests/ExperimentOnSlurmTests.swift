// `experiment --backend slurm --submit` on the test's real single-node Slurm (Support/SlurmCluster.swift):
// a 2-task array of tiny searches (seeds 101, 102 of darts on synthetic CIFAR files). Task 1 is
// requeued with `scontrol requeue` while it runs (after a few committed steps) and made eligible
// at once; both must finish, the requeued run interrupted (Restarts=1, its log saying it stopped
// after committing) yet with the per-step digests of a straight local search of the same seed,
// and `--collect` must report both finished in the stores and COMPLETED in squeue; without the
// Slurm tools it reports from the stores alone. A submission sbatch refuses fails in one line
// with sbatch's message and records nothing. Nothing the cluster started may be left running.
import Foundation
import Testing

@Suite(.serialized, .enabled(if: SlurmCluster.unavailableReason == nil, Comment(rawValue: SlurmCluster.unavailableReason ?? "")))
struct ExperimentOnSlurmTests {
    @Test func aSubmittedGridSurvivesARequeueBitExactlyAndIsCollected() throws {
        let t = try TinyCLI("experiment-slurm")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let cluster = try SlurmCluster.start()
        defer { cluster.stop() }
        let slurmEnvironment = ["SLURM_CONF": cluster.configuration.path]
        let slurmFlags = ["--backend", "slurm", "--submit", "--partition", cluster.partition, "--cpus-per-task", "1"]

        // A submission sbatch refuses: one line with sbatch's own message, no job recorded.
        let refusedDir = t.dir.appendingPathComponent("refused")
        let refused = try execute(t.exe, ExperimentEndToEnd.gridArguments(t, refusedDir, methods: "darts")
                                  + ["--backend", "slurm", "--submit", "--partition", "nosuch"], environment: slurmEnvironment)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.err.split(separator: "\n").count == 1 && refused.err.hasPrefix("error: sbatch ")
                && refused.err.contains("search.sbatch failed (exit 1)") && refused.err.contains("nosuch"), "\(refused.err)")
        #expect(!FileManager.default.fileExists(atPath: refusedDir.appendingPathComponent("slurm/jobs.json").path))

        let exp = t.dir.appendingPathComponent("grid")
        let submitted = try execute(t.exe, ExperimentEndToEnd.gridArguments(t, exp, methods: "darts") + slurmFlags, environment: slurmEnvironment)
        #expect(submitted.status == 0, "\(submitted.err)")
        let jobs = try jsonObject(exp.appendingPathComponent("slurm/jobs.json"))["jobs"] as? [[String: Any]]
        let job = try #require(jobs?.first?["job_id"] as? String, "\(String(describing: jobs))")
        #expect(jobs?.count == 1 && jobs?.first?["task_count"] as? Int == 2)
        #expect(submitted.out.contains("submitted search.sbatch: job \(job), 2 search tasks (grid tasks 0-1)"), "\(submitted.out)")

        // Requeue task 1 once its run has committed a few steps.
        let requeued = exp.appendingPathComponent("cifar10/darts/seed-102/search")
        try cluster.waitFor("task 1's run to commit step 2", seconds: 90) { ExperimentEndToEnd.newestCheckpoint(requeued) >= 2 }
        #expect(try cluster.arrayTaskStates(job)[1] == "RUNNING")
        try cluster.requeueNow(job: job, task: 1)
        // The task script's own `scontrol requeue` after the run's exit 75 may land after ours and
        // set a new begin time: whenever the task waits for one, it is made eligible again.
        func diagnosis() -> String {
            let show = (try? cluster.tool("scontrol", ["show", "job", "-o", job]))?.out ?? ""
            let logs = ["search-0.err", "search-1.err"].map { name in
                name + ": " + ((try? String(contentsOf: exp.appendingPathComponent("slurm/\(name)"), encoding: .utf8)) ?? "")
                    .split(separator: "\n").suffix(5).joined(separator: " | ")
            }
            return show + " " + logs.joined(separator: "; ") + " " + cluster.logTails()
        }
        defer { if Test.current != nil, cluster.leftoverProcesses().count > 0 { print("diagnosis: \(diagnosis())") } }
        try cluster.waitFor("both searches to complete", seconds: 120) {
            let states = try cluster.arrayTaskStates(job)
            if states[1] == "PENDING", try cluster.field("Reason", job: job, task: 1) == "BeginTime" {
                try cluster.tool("scontrol", ["update", "jobid=\(job)_1", "StartTime=now"])
            }
            return states.count == 2 && states.values.allSatisfy { !["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED"].contains($0) }
        }
        #expect(try cluster.arrayTaskStates(job) == [0: "COMPLETED", 1: "COMPLETED"])
        #expect(try cluster.field("Restarts", job: job, task: 1) == "1")
        #expect(try cluster.field("Restarts", job: job, task: 0) == "0")
        let log = try String(contentsOf: exp.appendingPathComponent("slurm/search-1.err"), encoding: .utf8)
        #expect(log.contains("stopped after step ") && log.components(separatedBy: "run finished").count == 2,
                "task 1 was not stopped after a commit and resumed: \(log)")
        #expect(try t.status(requeued)["state"] == "finished")

        // The requeued run equals an uninterrupted local search of the same seed, step by step.
        let straight = t.dir.appendingPathComponent("straight")
        let s = try t.run(["search", "--profile", "tiny", "--dataset", "cifar10", "--data", t.data.path, "--method", "darts",
                           "--seed", "102", "--run", straight.path])
        #expect(s.status == 0, "\(s.err)")
        let digests = try t.digests(requeued), straightDigests = try t.digests(straight)
        #expect(digests.count > 2 && digests == straightDigests, "the requeued run differs from a straight one")

        // --collect: both finished in the stores, COMPLETED in squeue (sacct has no accounting here).
        let collected = try execute(t.exe, ["experiment", "--dir", exp.path, "--collect"], environment: slurmEnvironment)
        #expect(collected.status == 0, "\(collected.err)")
        #expect(collected.out.contains("Every run of the grid is finished."), "\(collected.out)")
        for task in [0, 1] {
            #expect(collected.out.contains("- cifar10/darts/seed-10\(task + 1)/search: finished; Slurm \(job)_\(task) COMPLETED"), "\(collected.out)")
        }
        #expect(collected.out.contains("squeue; sacct: Slurm accounting storage is disabled"), "\(collected.out)")
        // Without Slurm's tools: the stores alone, still exit 0.
        let alone = try execute(t.exe, ["experiment", "--dir", exp.path, "--collect"], environment: ["PATH": "/nonexistent"])
        #expect(alone.status == 0 && alone.out.contains("Every run of the grid is finished."), "\(alone)")
        #expect(alone.out.contains("squeue not found on PATH") && alone.out.contains("reported from the run stores alone")
                && !alone.out.contains("COMPLETED"), "\(alone.out)")

        cluster.stop()
        #expect(cluster.leftoverProcesses().isEmpty, "processes left running: \(cluster.leftoverProcesses())")
    }
}
