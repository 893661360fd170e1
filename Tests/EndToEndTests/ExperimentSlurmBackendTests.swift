// `experiment --backend slurm` without a cluster: the scripts written beside experiment.json and
// the sbatch commands printed; what is refused before anything is written (sbatch missing with
// --submit, a script edited since, Slurm flags with another mode), each in one line; and
// --collect of a grid whose jobs.json names jobs, without Slurm's tools, from the stores alone.
import Foundation
import Testing

@Suite(.serialized) struct ExperimentSlurmBackendTests {
    @Test func scriptsAreWrittenAndRefusalsChangeNothing() throws {
        let t = try TinyCLI("experiment-slurm-write")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let exp = t.dir.appendingPathComponent("grid")
        let grid = ExperimentEndToEnd.gridArguments(t, exp, methods: "darts") + ["--evaluate", "--eval-profile", "tiny"]
        let noSlurm = ["PATH": t.dir.appendingPathComponent("empty").path]

        // --submit without sbatch: refused before anything is written.
        let missing = try execute(t.exe, grid + ["--backend", "slurm", "--submit"], environment: noSlurm)
        #expect(missing.status == 1 && missing.err.split(separator: "\n").count == 1
                && missing.err.hasPrefix("error: --submit: sbatch not found on PATH"), "\(missing.err)")
        #expect(!FileManager.default.fileExists(atPath: exp.path))

        let written = try execute(t.exe, grid + ["--backend", "slurm", "--time", "30", "--signal-lead", "60"], environment: noSlurm)
        #expect(written.status == 0, "\(written.err)")
        let search = exp.appendingPathComponent("slurm/search.sbatch"), evaluation = exp.appendingPathComponent("slurm/evaluation.sbatch")
        #expect(written.out.contains("wrote \(search.path): 2 search tasks (grid tasks 0-1)"), "\(written.out)")
        #expect(written.out.contains("wrote \(evaluation.path): 2 evaluation tasks (grid tasks 2-3)"), "\(written.out)")
        #expect(written.out.contains("  search=$(sbatch --parsable '\(search.path)')")
                && written.out.contains("  sbatch --dependency=aftercorr:${search%%;*} '\(evaluation.path)'"), "\(written.out)")
        let searchText = try String(contentsOf: search, encoding: .utf8)
        let evaluationText = try String(contentsOf: evaluation, encoding: .utf8)
        #expect(searchText.contains("#SBATCH --array=0-1") && searchText.contains("#SBATCH --time=30")
                && searchText.contains("--signal=B:USR1@60") && searchText.contains("grid='\(exp.path)'"), "\(searchText)")
        #expect(searchText.contains("executable='\(t.exe.resolvingSymlinksInPath().path)'"), "\(searchText)")
        #expect(evaluationText.contains("task=$((SLURM_ARRAY_TASK_ID + 2))") && !evaluationText.contains("--dependency"))
        #expect(FileManager.default.fileExists(atPath: exp.appendingPathComponent("experiment.json").path))
        #expect(!FileManager.default.fileExists(atPath: exp.appendingPathComponent("slurm/jobs.json").path))

        // The same command again keeps the scripts; other settings would replace an existing one: refused.
        let again = try execute(t.exe, ["experiment", "--dir", exp.path, "--backend", "slurm", "--time", "30", "--signal-lead", "60"], environment: noSlurm)
        #expect(again.status == 0 && again.out.contains("kept (unchanged) \(search.path)"), "\(again)")
        let other = try execute(t.exe, ["experiment", "--dir", exp.path, "--backend", "slurm", "--time", "45"], environment: noSlurm)
        #expect(other.status == 1 && other.err.split(separator: "\n").count == 1
                && other.err.hasPrefix("error: \(search.path) exists and differs"), "\(other.err)")
        #expect(try String(contentsOf: search, encoding: .utf8) == searchText)

        // Slurm flags with another mode, or with the local backend: usage errors.
        let collectSlurm = try execute(t.exe, ["experiment", "--dir", exp.path, "--collect", "--backend", "slurm"])
        #expect(collectSlurm.status == 64 && collectSlurm.err.contains("does not go with --collect"), "\(collectSlurm.err)")
        let localSubmit = try execute(t.exe, ["experiment", "--dir", exp.path, "--submit"])
        #expect(localSubmit.status == 64 && localSubmit.err.contains("--submit needs --backend slurm"), "\(localSubmit.err)")

        // A recorded submission, collected without squeue or sacct: the stores alone, exit 0.
        try """
        {"format": "dartsprime-slurm-jobs", "version": 1, "jobs": [{"job_id": "41", "stage": "search", "first_task": 0,
         "task_count": 2, "script": "\(search.path)", "submitted": "2026-12-01T00:00:00Z"}]}
        """.write(to: exp.appendingPathComponent("slurm/jobs.json"), atomically: true, encoding: .utf8)
        let collected = try execute(t.exe, ["experiment", "--dir", exp.path, "--collect"], environment: noSlurm)
        #expect(collected.status == 0, "\(collected.err)")
        #expect(collected.out.contains("- cifar10/darts/seed-101/search: missing")
                && collected.out.contains("squeue not found on PATH; sacct not found on PATH")
                && collected.out.contains("reported from the run stores alone"), "\(collected.out)")
    }
}
