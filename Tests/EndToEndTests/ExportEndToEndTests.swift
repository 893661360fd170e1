// `dartsprime export RUN WHAT` as a user runs it, on a tiny synthetic search: every table in CSV
// (read back by Python's csv module, and pandas.read_csv when installed) and JSON, row counts
// of steps × cells × edges × ops, `--steps` slicing, `--out` writing the same bytes as stdout and
// refusing an existing file (untouched) unless --force, and an evaluation run exporting its
// history but refusing alphas in one line.

import Foundation
import Testing

@Suite(.serialized) struct ExportEndToEnd {
    /// A finished tiny search (prime, 20 steps) on synthetic CIFAR in `dir`/run.
    static func search(in dir: URL) throws -> (exe: URL, run: URL, data: URL) {
        let exe = try dartsprimeBinary()
        let data = dir.appendingPathComponent("cifar")
        try DigestFixture.writeSyntheticCIFAR(into: data)
        let run = dir.appendingPathComponent("run")
        let r = try execute(exe, ["search", "--profile", "tiny", "--dataset", "cifar10", "--data", data.path,
                                  "--method", "prime", "--run", run.path])
        #expect(r.status == 0, "\(r.err)")
        return (exe, run, data)
    }

    static let python: URL? = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"]
        .map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }
    static let pandasInstalled: Bool = {
        guard let python else { return false }
        return (try? execute(python, ["-c", "import pandas"]).status) == 0
    }()

    /// Lines of `csv` split into fields by Python's csv module: "rows cols" per file, or nil without python3.
    static func pythonShape(_ file: URL, pandas: Bool = false) throws -> String? {
        guard let python else { return nil }
        let script = pandas
            ? "import sys, pandas; d = pandas.read_csv(sys.argv[1]); print(len(d), len(d.columns))"
            : "import sys, csv; r = list(csv.reader(open(sys.argv[1], newline=''))); assert all(len(x) == len(r[0]) for x in r); print(len(r) - 1, len(r[0]))"
        let r = try execute(python, ["-c", script, file.path])
        #expect(r.status == 0, "\(file.lastPathComponent): \(r.err)")
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func csvRows(_ text: String) -> [String] { text.split(separator: "\n").dropFirst().map(String.init) }

    @Test func everyTableInCSVAndJSON() throws {
        let dir = scratch("export")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (exe, run, _) = try Self.search(in: dir)
        let steps = 21  // steps 0…20
        let kept = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)
            .filter { $0.hasPrefix("step-") && $0.hasSuffix(".h5") }.count
        let expected: [String: (rows: Int, columns: Int)] = [
            "alphas": (steps * 2 * 14 * 8, 9), "fimt": (steps, 8), "genotypes": (2, 5),
            "history": (steps, -1), "fimt-traces": (-1, 8),
        ]
        for (what, shape) in expected {
            let csv = try execute(exe, ["export", run.path, what])
            #expect(csv.status == 0 && csv.err.isEmpty, "\(what): \(csv.err)")
            let lines = csv.out.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.last == "" && !lines.contains { $0.hasPrefix("#") })
            if shape.rows >= 0 { #expect(Self.csvRows(csv.out).count == shape.rows, "\(what) rows") }
            let file = dir.appendingPathComponent("\(what).csv")
            let written = try execute(exe, ["export", run.path, what, "--out", file.path])
            #expect(written.status == 0 && written.out.isEmpty, "\(what): \(written.err)")
            #expect(try String(contentsOf: file, encoding: .utf8) == csv.out, "--out writes what stdout gets")
            if let parsed = try Self.pythonShape(file) {
                let rows = shape.rows >= 0 ? shape.rows : Self.csvRows(csv.out).count
                let columns = shape.columns >= 0 ? shape.columns : csv.out.prefix { $0 != "\n" }.split(separator: ",").count
                #expect(parsed == "\(rows) \(columns)", "\(what): python csv gives \(parsed)")
            }

            let json = try execute(exe, ["export", run.path, what, "--format", "json"])
            #expect(json.status == 0, "\(what): \(json.err)")
            let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]], "\(what)")
            #expect(objects.count == Self.csvRows(csv.out).count, "\(what): JSON rows = CSV rows")
        }
        // The header names the columns of FORMAT.md; edge 13 enters node 3 (state 5) from node 2 (state 4).
        let alphas = try execute(exe, ["export", run.path, "alphas"]).out
        #expect(alphas.hasPrefix("step,epoch,cell,edge,from,to,op,alpha,weight\n"))
        let newest = try #require(Self.csvRows(alphas).first { $0.hasPrefix("20,2,reduce,13,4,5,sep_conv_5x5,") })
        #expect(newest.split(separator: ",", omittingEmptySubsequences: false).count == 9 && !newest.contains(",,"),
                "the newest step's checkpoint is kept, so its raw α is there: \(newest)")
        #expect(Self.csvRows(alphas).contains { $0.hasPrefix("1,0,normal,0,0,2,none,,") }, "step 1's checkpoint is deleted: no raw α")
        let traces = try execute(exe, ["export", run.path, "fimt-traces"]).out
        #expect(Set(Self.csvRows(traces).map { $0.prefix { $0 != "," } }).count <= kept)
        #expect(Self.csvRows(traces).count % (2 * 14 * 8) == 0 && !Self.csvRows(traces).isEmpty)
        let genotypes = try execute(exe, ["export", run.path, "genotypes"]).out
        #expect(genotypes.contains("\"" + (try String(contentsOf: run.appendingPathComponent("genotype.txt"), encoding: .utf8))
            .trimmingCharacters(in: .newlines) + "\""))
        #expect(Self.csvRows(try execute(exe, ["export", run.path, "genotypes", "--all-steps"]).out).count == steps)

        // --steps slices every table; history keeps its columns (and the digest fixture's state_digest).
        let sliced = try execute(exe, ["export", run.path, "alphas", "--steps", "3:5"])
        #expect(Set(Self.csvRows(sliced.out).map { $0.prefix { $0 != "," } }) == ["3", "4", "5"])
        #expect(Self.csvRows(sliced.out).count == 3 * 2 * 14 * 8)
        let history = try execute(exe, ["export", run.path, "history", "--steps", ":2"]).out
        let full = try execute(exe, ["export", run.path, "history"]).out
        #expect(history.split(separator: "\n").count == 4 && full.hasPrefix(history))
        #expect(history.split(separator: "\n")[0].hasSuffix(",state_digest"))
        #expect(Self.csvRows(try execute(exe, ["export", run.path, "fimt", "--steps", "18:"]).out).count == 3)
        for bad in ["5:3", "x", "1:2:3"] {
            let r = try execute(exe, ["export", run.path, "fimt", "--steps", bad])
            #expect(r.status == 64 && r.err.split(separator: "\n").count == 1 && r.err.contains("--steps"), "\(bad): \(r.err)")
        }
        let none = try execute(exe, ["export", run.path, "fimt", "--steps", "500:"])
        #expect(none.status == 1 && none.err.split(separator: "\n").count == 1 && none.err.contains("selects no step"), "\(none.err)")

        // --out refuses an existing file and leaves it as it was; --force replaces it.
        let existing = dir.appendingPathComponent("alphas.csv")
        try "mine\n".write(to: existing, atomically: true, encoding: .utf8)
        let refused = try execute(exe, ["export", run.path, "alphas", "--out", existing.path])
        #expect(refused.status == 1 && refused.err.split(separator: "\n").count == 1 && refused.err.contains("already exists")
                && refused.err.contains(existing.lastPathComponent), "\(refused.err)")
        #expect(try String(contentsOf: existing, encoding: .utf8) == "mine\n")
        let forced = try execute(exe, ["export", run.path, "fimt", "--out", existing.path, "--force"])
        #expect(forced.status == 0, "\(forced.err)")
        #expect(try String(contentsOf: existing, encoding: .utf8) == (try execute(exe, ["export", run.path, "fimt"]).out))
        let inside = try execute(exe, ["export", run.path, "fimt", "--out", run.appendingPathComponent("fimt.csv").path])
        #expect(inside.status == 1 && inside.err.contains("inside the run directory"), "\(inside.err)")
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("fimt.csv").path))
        let noFolder = try execute(exe, ["export", run.path, "fimt", "--out", dir.appendingPathComponent("missing/fimt.csv").path])
        #expect(noFolder.status == 1 && noFolder.err.split(separator: "\n").count == 1 && noFolder.err.contains("missing/fimt.csv"), "\(noFolder.err)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")

        // An evaluation exports its history, and refuses the search tables in one line.
        let evaluation = dir.appendingPathComponent("eval")
        let e = try execute(exe, ["evaluate", run.path, "--step", "10", "--profile", "tiny", "--epochs", "1", "--test-subset", "40",
                                  "--run", evaluation.path])
        #expect(e.status == 0, "\(e.err)")
        let evalHistory = try execute(exe, ["export", evaluation.path, "history", "--format", "json"])
        #expect(evalHistory.status == 0, "\(evalHistory.err)")
        let evalRows = try JSONSerialization.jsonObject(with: Data(evalHistory.out.utf8)) as? [Any]
        #expect(evalRows?.isEmpty == false)
        for what in ["alphas", "fimt", "genotypes"] {
            let r = try execute(exe, ["export", evaluation.path, what])
            #expect(r.status == 1 && r.out.isEmpty && r.err.split(separator: "\n").count == 1 && r.err.contains("is an evaluation run"),
                    "\(what): \(r.err)")
        }
    }

    @Test(.enabled(if: ExportEndToEnd.pandasInstalled, "python3 with pandas is not installed: pandas.read_csv is not checked"))
    func pandasReadsEveryCSV() throws {
        let dir = scratch("export-pandas")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (exe, run, _) = try Self.search(in: dir)
        for what in ["alphas", "fimt", "fimt-traces", "genotypes", "history"] {
            let file = dir.appendingPathComponent("\(what).csv")
            #expect(try execute(exe, ["export", run.path, what, "--out", file.path]).status == 0)
            let text = try String(contentsOf: file, encoding: .utf8)
            let columns = text.prefix { $0 != "\n" }.split(separator: ",").count
            #expect(try Self.pythonShape(file, pandas: true) == "\(Self.csvRows(text).count) \(columns)", "\(what)")
        }
    }
}
