// How a grid's job arrays are handed to sbatch: the arguments `experiment --submit` runs, the
// same commands printed for a user who submits by hand, and the job id read back from
// `sbatch --parsable`. The evaluation array's dependency is given on the command line, not in
// its script, so the script on disk stays the same whichever search job it follows.

public enum SlurmSubmission {
    /// `sbatch` arguments for `script`; an evaluation array also waits task by task for
    /// `afterSearchJob` (`--dependency=aftercorr:JOB`).
    public static func sbatchArguments(script: String, afterSearchJob job: String? = nil) -> [String] {
        ["--parsable"] + (job.map { ["--dependency=" + SlurmScript.dependency(afterCorrespondingTasksOf: $0)] } ?? []) + [script]
    }

    /// The shell lines that submit the arrays by hand, as --submit does.
    public static func commands(searchScript: String, evaluationScript: String?) -> [String] {
        var lines = ["search=$(sbatch --parsable \(ShellText.quoted(searchScript)))"]
        if let evaluationScript {
            // --parsable prints JOBID or JOBID;CLUSTER.
            lines.append("sbatch --dependency=aftercorr:${search%%;*} \(ShellText.quoted(evaluationScript))")
        }
        return lines
    }

    /// The job id in `sbatch --parsable`'s output (`123` or `123;cluster`), nil when there is none.
    public static func jobID(fromParsable output: String) -> String? {
        let first = output.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingWhitespace() ?? ""
        let id = String(first.split(separator: ";").first ?? "")
        return !id.isEmpty && id.allSatisfy({ $0.isASCII && $0.isNumber }) ? id : nil
    }
}
