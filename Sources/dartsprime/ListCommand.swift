// `dartsprime list [DIR]`: one line per run under artifacts/runs (or DIR): name, kind, method,
// seed, dataset, step/total, status (`interrupted`: "running" but no writer holds it), and the
// step where the genotype last changed.

import ArgumentParser
import Foundation
import Training
import Analysis

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the runs under artifacts/runs (or DIR), one line each.",
        discussion: """
        Columns: name, kind, method, seed, dataset, step/total, status, genotype_changed_at (the step where \
        a search's genotype last changed; - for evaluations). A run whose status says running but whose \
        writer lock is free (its process died) is shown as interrupted; one that cannot be read is shown as \
        unreadable with the reason. The last line counts the runs.
        """)

    static let defaultDirectory = "artifacts/runs"

    @Argument(help: "The folder holding run directories (default: artifacts/runs).") var directory: String?
    @Option(help: "text or json.") var format: ReportFormat = .text

    struct Row: Encodable {
        var name: String
        var kind: String?
        var method: String?
        var seed: UInt64?
        var dataset: String?
        var step: Int?
        var total_steps: Int?
        var status: String
        var genotype_changed_at: Int?
        var problem: String?
    }

    func run() throws {
        let folder = URL(fileURLWithPath: directory ?? Self.defaultDirectory)
        let rows = try runDirectories(in: folder).map { url -> Row in
            do {
                let s = try RunSummary(directory: url)
                return Row(name: s.name, kind: s.kind, method: s.method, seed: s.seed, dataset: s.dataset, step: s.lastStep,
                           total_steps: s.totalSteps, status: s.state, genotype_changed_at: s.genotypeChangedAt)
            } catch {
                return Row(name: url.lastPathComponent, status: "unreadable", problem: CommandExit.oneLine("\(error)"))
            }
        }
        if format == .json { try ReportOutput.printJSON(rows); return }
        let table = [["name", "kind", "method", "seed", "dataset", "step/total", "status", "genotype_changed_at"]] + rows.map { r in
            [r.name, r.kind ?? "?", r.method ?? "-", r.seed.map(String.init) ?? "-", r.dataset ?? "-",
             "\(r.step.map(String.init) ?? "0")/\(r.total_steps.map(String.init) ?? "?")",
             r.status + (r.problem.map { " (\($0))" } ?? ""), r.genotype_changed_at.map(String.init) ?? "-"]
        }
        let widths = (0..<table[0].count).map { c in table.map { $0[c].count }.max() ?? 0 }
        for line in table {
            StandardStreams.writeLine(line.enumerated().map { c, cell in c == line.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  "))
        }
        StandardStreams.writeLine("\(rows.count) run\(rows.count == 1 ? "" : "s") under \(folder.path)")
    }

    /// Subfolders holding a run.json, by name; writers' temporaries (.tmp-*) and hidden folders
    /// are skipped. The default folder may be missing (no runs yet); a folder given must exist.
    private func runDirectories(in folder: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            if directory == nil { return [] }
            throw RuntimeFailure("\(folder.path): no such folder")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("run.json").path) }
    }
}
