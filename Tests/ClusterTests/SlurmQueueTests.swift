// squeue/sacct output mapped back to grid tasks through jobs.json (the lines as Slurm 22.05
// prints them for the arguments SlurmQueue gives), and the sbatch arguments and commands of a submission.
@testable import Cluster
import Testing

@Suite struct SlurmQueueTests {
    static let jobs = SlurmJobs(jobs: [
        SlurmJobs.Job(jobID: "4", stage: .search, firstTask: 0, taskCount: 2, script: "/g/slurm/search.sbatch", submitted: "t"),
        SlurmJobs.Job(jobID: "6", stage: .evaluate, firstTask: 2, taskCount: 2, script: "/g/slurm/evaluation.sbatch", dependsOnJob: "4", submitted: "t"),
    ])

    @Test func squeueLinesBecomeGridTasks() {
        let text = "4|1|RUNNING|None\n4|0|PENDING|BeginTime\n6|1|PENDING|Dependency\n6|0|PENDING|Dependency\n9|0|RUNNING|None\n4|7|RUNNING|None\n"
        let states = SlurmQueue.parseSqueue(text, jobs: Self.jobs)
        #expect(states[0] == SlurmTaskState(job: "4_0", state: "PENDING", reason: "BeginTime", source: "squeue"))
        #expect(states[1] == SlurmTaskState(job: "4_1", state: "RUNNING", source: "squeue"))
        #expect(states[3]?.job == "6_1" && states[2]?.reason == "Dependency")
        #expect(states.count == 4, "a job not in jobs.json, or a task outside its array, is dropped: \(states)")
        #expect(Set(states.filter { $0.value.isActive }.keys) == [0, 1, 2, 3])
    }

    @Test func theNewestSubmissionOfATaskWins() {
        var jobs = Self.jobs
        jobs.jobs.append(SlurmJobs.Job(jobID: "9", stage: .search, firstTask: 0, taskCount: 2, script: "/g/slurm/search.sbatch", submitted: "t"))
        let states = SlurmQueue.parseSqueue("9|0|PENDING|Priority\n4|0|COMPLETED|None\n", jobs: jobs)
        #expect(states[0]?.job == "9_0" && states[0]?.isActive == true)
    }

    @Test func sacctLinesAndUnsplitArrays() {
        let states = SlurmQueue.parseSacct("4_0|COMPLETED\n4_1|CANCELLED by 0\n6_[0-1]|PENDING\n", jobs: Self.jobs)
        #expect(states[0]?.state == "COMPLETED" && states[1]?.state == "CANCELLED" && states[1]?.isActive == false)
        #expect(states[2]?.job == "6_0" && states[3]?.job == "6_1" && states[3]?.state == "PENDING" && states[3]?.source == "sacct")
        #expect(SlurmQueue.arrayTasks("[0-2,5%2]") == [0, 1, 2, 5] && SlurmQueue.arrayTasks("x").isEmpty)
    }

    @Test func squeueArgumentsAskForEveryStateOfEveryTask() {
        let a = SlurmQueue.squeueArguments(jobs: Self.jobs.jobIDs)
        #expect(a.contains("--jobs=4,6") && a.contains("--array") && a.contains("--states=all") && a.contains("--format=%F|%K|%T|%r"))
        #expect(SlurmQueue.squeueKnowsNone("slurm_load_jobs error: Invalid job id specified\n"))
        #expect(!SlurmQueue.squeueKnowsNone("squeue: error: Unable to contact slurm controller"))
    }

    @Test func submissionArgumentsAndCommands() {
        #expect(SlurmSubmission.sbatchArguments(script: "/g/s.sbatch") == ["--parsable", "/g/s.sbatch"])
        #expect(SlurmSubmission.sbatchArguments(script: "/g/e.sbatch", afterSearchJob: "12") == ["--parsable", "--dependency=aftercorr:12", "/g/e.sbatch"])
        #expect(SlurmSubmission.commands(searchScript: "/g d/s.sbatch", evaluationScript: "/g d/it's.sbatch") == [
            "search=$(sbatch --parsable '/g d/s.sbatch')",
            "sbatch --dependency=aftercorr:${search%%;*} '/g d/it'\\''s.sbatch'",
        ])
        #expect(SlurmSubmission.jobID(fromParsable: "123\n") == "123" && SlurmSubmission.jobID(fromParsable: "77;cluster\n") == "77")
        #expect(SlurmSubmission.jobID(fromParsable: "") == nil && SlurmSubmission.jobID(fromParsable: "sbatch: error") == nil)
    }
}
