// DIR/slurm/jobs.json: the job arrays `experiment --submit` handed to Slurm, oldest first, so
// that `--collect` can ask Slurm how their tasks stand and a second submission can refuse to
// run beside the first. Codable only (the module imports nothing): the command reads and writes it.

public struct SlurmJobs: Codable, Equatable, Sendable {
    public static let format = "dartsprime-slurm-jobs"

    /// One submitted job array: array task i runs grid task `firstTask + i`.
    public struct Job: Codable, Equatable, Sendable {
        public var jobID: String
        public var stage: SlurmScript.Stage
        public var firstTask: Int
        public var taskCount: Int
        /// The script submitted (absolute).
        public var script: String
        /// The search job an evaluation array waits on (`aftercorr`), nil for a search array.
        public var dependsOnJob: String?
        /// UTC, ISO 8601.
        public var submitted: String

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id", stage, firstTask = "first_task", taskCount = "task_count", script
            case dependsOnJob = "depends_on_job", submitted
        }

        public init(jobID: String, stage: SlurmScript.Stage, firstTask: Int, taskCount: Int, script: String,
                    dependsOnJob: String? = nil, submitted: String) {
            self.jobID = jobID; self.stage = stage; self.firstTask = firstTask; self.taskCount = taskCount
            self.script = script; self.dependsOnJob = dependsOnJob; self.submitted = submitted
        }

        /// The grid task that array task `arrayTask` of this job runs, nil outside the array.
        public func gridTask(arrayTask: Int) -> Int? {
            (0..<taskCount).contains(arrayTask) ? firstTask + arrayTask : nil
        }
    }

    public var format: String
    public var version: Int
    public var jobs: [Job]

    public init(jobs: [Job] = []) {
        format = Self.format
        version = 1
        self.jobs = jobs
    }

    /// The distinct job ids, in submission order (what squeue and sacct are asked about).
    public var jobIDs: [String] {
        var seen: [String] = []
        for j in jobs where !seen.contains(j.jobID) { seen.append(j.jobID) }
        return seen
    }
}
