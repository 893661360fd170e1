// `dartsprime experiment` as a user runs it, on synthetic CIFAR-format files at the tiny profile:
// the grid interrupted by SIGTERM mid-run (exit 75), listed by --collect, refused with another
// grid, then rerun: the finished run untouched (inodes, mtimes), the interrupted one resumed to
// the digests of a straight search; the summary's mean and std against a hand computation over
// values read from the stores; a run made to fail reported while the others (and an
// evaluation) complete.

import Foundation
import Testing
import RunStore

@Suite(.serialized) struct ExperimentEndToEnd {
    static func gridArguments(_ t: TinyCLI, _ dir: URL, methods: String = "darts,prime", seeds: String = "101,102") -> [String] {
        ["experiment", "--dir", dir.path, "--methods", methods, "--seeds", seeds, "--dataset", "cifar10",
         "--data", t.data.path, "--profile", "tiny"]
    }

    /// inode and modification time of every file under `dir`.
    static func fileIdentities(_ dir: URL) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in try FileManager.default.subpathsOfDirectory(atPath: dir.path) {
            let a = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(name).path)
            guard a[.type] as? FileAttributeType == .typeRegular else { continue }
            out[name] = "\(a[.systemFileNumber] ?? "?") \((a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }
        return out
    }

    static func newestCheckpoint(_ run: URL) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)) ?? []
        return names.compactMap { $0.hasPrefix("step-") && $0.hasSuffix(".h5") ? Int($0.dropFirst(5).dropLast(3)) : nil }.max() ?? -1
    }

    /// The summary.csv rows by method, as column → text.
    static func summaryRows(_ dir: URL) throws -> [String: [String: String]] {
        let lines = try String(contentsOf: dir.appendingPathComponent("summary.csv"), encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var rows: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            rows[cells[1]] = Dictionary(uniqueKeysWithValues: zip(header, cells))
        }
        return rows
    }

    /// Mean and sample std (n − 1), written out here independently of the tool.
    static func meanAndStd(_ v: [Double]) -> (Double, Double) {
        let mean = v.reduce(0, +) / Double(v.count)
        let squares = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
        return (mean, (squares / Double(v.count - 1)).squareRoot())
    }

    @Test func interruptedGridResumesWithoutRedoingFinishedRunsAndSummarises() throws {
        let t = try TinyCLI("experiment")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let exp = t.dir.appendingPathComponent("grid")
        let args = Self.gridArguments(t, exp)
        let first = exp.appendingPathComponent("cifar10/darts/seed-101/search")
        let second = exp.appendingPathComponent("cifar10/darts/seed-102/search")

        // SIGTERM once the second search has committed a few steps: it commits and the queue exits 75.
        let p = Process()
        p.executableURL = t.exe
        p.arguments = args
        let errFile = t.dir.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: errFile)
        try p.run()
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline && p.isRunning && Self.newestCheckpoint(second) < 2 { usleep(2_000) }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let err = try String(contentsOf: errFile, encoding: .utf8)
        #expect(p.terminationStatus == 75, "\(err)")
        #expect(err.contains("experiment stopped by a signal during task 1"), "\(err)")
        #expect(try t.status(first)["state"] == "finished")
        #expect(try t.status(second)["state"] == "preempted", "the run in progress committed its step")
        #expect(!FileManager.default.fileExists(atPath: exp.appendingPathComponent("cifar10/prime").path))
        let firstFiles = try Self.fileIdentities(first)
        let secondBefore = try t.digests(second)
        let secondStepZero = try Self.fileIdentities(second)["checkpoints/step-00000000.h5"]
        #expect(secondStepZero != nil)

        // --collect lists what is missing or interrupted, and writes the (partial) summary.
        let collected = try t.run(["experiment", "--dir", exp.path, "--collect"])
        #expect(collected.status == 0, "\(collected.err)")
        #expect(collected.out.contains("- cifar10/prime/seed-101/search: missing"), "\(collected.out)")
        #expect(collected.out.contains("- cifar10/darts/seed-102/search: preempted"), "\(collected.out)")
        #expect(!collected.out.contains("seed-101/search: missing\n- cifar10/darts/seed-101"))
        #expect(try Self.summaryRows(exp)["darts"]?["seeds_counted"] == "1")

        // Another grid in the same folder: one line naming the field, nothing changed.
        let manifest = try Data(contentsOf: exp.appendingPathComponent("experiment.json"))
        let other = try t.run(Self.gridArguments(t, exp, seeds: "101"))
        #expect(other.status == 64, "\(other.err)")
        #expect(other.err.split(separator: "\n").count == 1 && other.err.hasPrefix("error: ") && other.err.contains("seeds: 101,102 → 101"), "\(other.err)")
        #expect(try Data(contentsOf: exp.appendingPathComponent("experiment.json")) == manifest)

        // The same command again: the finished run is skipped untouched, the interrupted one resumes.
        let rerun = try t.run(args)
        #expect(rerun.status == 0, "\(rerun.err)")
        #expect(rerun.err.contains("[1/4] search cifar10/darts/seed-101: finished, skipped"), "\(rerun.err)")
        #expect(rerun.err.contains("ETA"))
        #expect(try Self.fileIdentities(first) == firstFiles, "a finished run was redone")
        let secondAfter = try t.digests(second)
        #expect(Array(secondAfter.prefix(secondBefore.count)) == secondBefore)
        #expect(try Self.fileIdentities(second)["checkpoints/step-00000000.h5"] == secondStepZero, "resumed, not restarted")
        let straight = t.dir.appendingPathComponent("straight")
        let s = try t.run(["search", "--profile", "tiny", "--dataset", "cifar10", "--data", t.data.path, "--method", "darts",
                           "--seed", "102", "--run", straight.path])
        #expect(s.status == 0, "\(s.err)")
        #expect(secondAfter == (try t.digests(straight)), "the resumed run equals an uninterrupted one")
        #expect(rerun.out.contains("| cifar10 | darts |") && rerun.out.contains("Every run of the grid is finished."), "\(rerun.out)")

        // The table against a hand computation over the stores.
        let rows = try Self.summaryRows(exp)
        for method in ["darts", "prime"] {
            var errors: [Double] = [], steps: [Double] = [], walls: [Double] = []
            for seed in [101, 102] {
                let run = exp.appendingPathComponent("cifar10/\(method)/seed-\(seed)/search")
                let store = try RunStore.open(at: run, readOnly: true)
                let history = try store.history()
                errors.append(100 * (1 - (history.last(where: \.epochEnd)?.values["valid_acc"] ?? .nan)))
                steps.append(Double(history.filter { $0.step > 0 && $0.values["alpha_step"] == 1 }.count))
                walls.append(Double(try store.readStatus()["wall_seconds"] ?? "") ?? .nan)
                store.close()
            }
            let row = try #require(rows[method])
            #expect(row["seeds_counted"] == "2" && row["seeds"] == "101 102" && row["error_source"] == "search")
            for (column, values) in [("error_percent", errors), ("alpha_steps", steps), ("search_seconds", walls)] {
                let (mean, std) = Self.meanAndStd(values)
                #expect(abs((Double(row["\(column)_mean"] ?? "") ?? .nan) - mean) < 1e-9, "\(method) \(column) mean: \(row)")
                #expect(abs((Double(row["\(column)_std"] ?? "") ?? .nan) - std) < 1e-9, "\(method) \(column) std: \(row)")
            }
            #expect(walls.allSatisfy { $0 > 0 }, "\(walls)")
        }

        // A task alone: finished, exit 0 at once; the task list for a scheduler.
        let alone = try t.run(["experiment", "--dir", exp.path, "--task", "0"])
        #expect(alone.status == 0 && alone.err.contains("already finished"), "\(alone.err)")
        #expect(try Self.fileIdentities(first) == firstFiles)
        let outOfRange = try t.run(["experiment", "--dir", exp.path, "--task", "4"])
        #expect(outOfRange.status == 64 && outOfRange.err.contains("tasks 0…3"), "\(outOfRange.err)")
        let list = try t.run(["experiment", "--dir", exp.path, "--list-tasks", "--format", "json"])
        let entries = try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]]
        #expect(entries?.count == 4 && entries?[1]["run"] as? String == second.path && entries?[3]["method"] as? String == "prime")
    }

    @Test func aFailedRunIsReportedAndTheOthersCompleteWithTheirEvaluation() throws {
        let t = try TinyCLI("experiment-fail")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let exp = t.dir.appendingPathComponent("grid")
        // Seed 102's search folder already holds a damaged run.json: that run must fail, and stay as it was.
        let broken = exp.appendingPathComponent("cifar10/darts/seed-102/search")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        let planted = Data("{ not a run".utf8)
        try planted.write(to: broken.appendingPathComponent("run.json"))

        let r = try t.run(Self.gridArguments(t, exp, methods: "darts") + ["--evaluate", "--eval-profile", "tiny"])
        #expect(r.status == 1, "\(r.err)")
        let lines = r.err.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("error: ") && $0.contains(broken.appendingPathComponent("run.json").path) }, "\(r.err)")
        #expect(lines.contains("experiment: [2/4] search cifar10/darts/seed-102: failed (exit 1); continuing with the rest"), "\(r.err)")
        #expect(lines.contains { $0.hasPrefix("error: ") && $0.contains("its search is unreadable, not finished") }, "\(r.err)")
        #expect(lines.last?.hasPrefix("error: experiment: 2 of 4 runs did not finish") == true, "\(r.err)")
        #expect(try Data(contentsOf: broken.appendingPathComponent("run.json")) == planted)
        #expect(try FileManager.default.contentsOfDirectory(atPath: broken.path) == ["run.json"])

        let evaluation = exp.appendingPathComponent("cifar10/darts/seed-101/evaluation")
        #expect(try t.status(exp.appendingPathComponent("cifar10/darts/seed-101/search"))["state"] == "finished")
        #expect(try t.status(evaluation)["state"] == "finished")
        let result = try jsonObject(evaluation.appendingPathComponent("evaluation.json"))
        let row = try #require(try Self.summaryRows(exp)["darts"])
        #expect(row["error_source"] == "evaluation" && row["seeds_counted"] == "1" && row["error_percent_std"] == "")
        #expect(Double(row["error_percent_mean"] ?? "") == result["test_error_percent"] as? Double, "\(row) \(result)")
        #expect(Double(row["params_m_mean"] ?? "") == result["parameters_millions"] as? Double)
        let md = try String(contentsOf: exp.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(md.contains("- cifar10/darts/seed-102/search: unreadable"), "\(md)")
        #expect(md.contains("- cifar10/darts/seed-102/evaluation: missing"), "\(md)")
        #expect(r.out.contains("test error (%)"))

        // A grid with a bad method is refused before anything is written.
        let refused = t.dir.appendingPathComponent("refused")
        let bad = try t.run(Self.gridArguments(t, refused, methods: "darts,foo"))
        #expect(bad.status == 64 && bad.err.split(separator: "\n").count == 1, "\(bad.err)")
        #expect(bad.err.hasPrefix("error: experiment cell cifar10/foo/seed-101: --methods: Unknown search method 'foo'"), "\(bad.err)")
        #expect(!FileManager.default.fileExists(atPath: refused.path))
        // An evaluation task alone before its search: refused in one line, nothing created.
        let evaluationFirst = try t.run(["experiment", "--dir", exp.path, "--task", "3"])
        #expect(evaluationFirst.status == 1 && evaluationFirst.err.contains("not finished"), "\(evaluationFirst.err)")
        #expect(!FileManager.default.fileExists(atPath: exp.appendingPathComponent("cifar10/darts/seed-102/evaluation").path))
    }

    @Test func aKilledQueueStopsItsChildWhichTheNextQueueResumes() throws {
        let t = try TinyCLI("experiment-killed")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let exp = t.dir.appendingPathComponent("grid")
        let args = Self.gridArguments(t, exp, methods: "darts", seeds: "101")
        let run = exp.appendingPathComponent("cifar10/darts/seed-101/search")

        // SIGKILL of the queue forwards nothing; the child hears of it from the kernel (SIGTERM),
        // commits its step and exits 75, instead of training on as an orphan to the end.
        let p = Process()
        p.executableURL = t.exe
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline && p.isRunning && Self.newestCheckpoint(run) < 2 { usleep(2_000) }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        var state = try t.status(run)["state"]
        let settled = Date().addingTimeInterval(60)
        while Date() < settled && state == "running" { usleep(20_000); state = try t.status(run)["state"] }
        #expect(state == "preempted", "the orphaned child ran on (state \(state ?? "?"))")
        let stoppedAt = Self.newestCheckpoint(run)
        usleep(300_000)
        #expect(Self.newestCheckpoint(run) == stoppedAt, "the child still commits steps")

        // The next queue resumes it to the bits of an uninterrupted search.
        let rerun = try t.run(args)
        #expect(rerun.status == 0, "\(rerun.err)")
        let straight = t.dir.appendingPathComponent("straight")
        let s = try t.run(["search", "--profile", "tiny", "--dataset", "cifar10", "--data", t.data.path, "--method", "darts",
                           "--seed", "101", "--run", straight.path])
        #expect(s.status == 0, "\(s.err)")
        #expect(try t.digests(run) == (try t.digests(straight)))

        // A task whose queue is already gone when it starts (its parent is not the queue named) does not start.
        let orphan = try execute(t.exe, ["experiment", "--dir", exp.path, "--task", "0"], environment: ["DARTSPRIME_QUEUE_PARENT": "1"])
        #expect(orphan.status == 75 && orphan.err.contains("the queue (pid 1) is gone; the task did not start"), "\(orphan.err)")
    }
}
