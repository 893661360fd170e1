// One run as the figures see it: its history rows and, for a search (CNN or Penn Treebank),
// the export readers' SearchExportSource (space, activated α per row, method) — the same reads
// as `export`. The run's name, method and seed come from run.json's configuration, for titles
// and legends; a text run's dataset is ptb.

import Foundation
import Architecture
import RunStore
import Search
import Evaluation

public struct PlotRun {
    public let store: RunStore
    /// The run directory's name.
    public let name: String
    public let method: String
    public let seed: String
    public let dataset: String
    /// A search's readers; nil for other run kinds (an evaluation).
    public let search: SearchExportSource?
    /// Every history row, ascending.
    public let rows: [HistoryRow]
    /// A Penn Treebank run (rnn-search, rnn-evaluation): losses and perplexities, no accuracies.
    public let isText: Bool

    /// The run kinds on text (the others are CNN runs on images).
    public static let textKinds = [RecurrentSearch.kindName, RecurrentEvaluation.kindName]

    public init(store: RunStore) throws {
        self.store = store
        name = store.url.standardizedFileURL.lastPathComponent
        let configuration = (try? JSONSerialization.jsonObject(with: Data(store.configurationJSON.utf8))) as? [String: Any] ?? [:]
        func text(_ key: String) -> String? { configuration[key].map { "\($0)" } }
        method = text("method") ?? store.runKind
        seed = text("seed") ?? "?"
        isText = Self.textKinds.contains(store.runKind)
        dataset = text("dataset") ?? (isText ? "ptb" : "?")
        search = Replay.isSearch(store.runKind) ? try SearchExportSource(store: store, what: "plot", steps: .all) : nil
        rows = try search?.rows ?? SearchExportSource.rows(of: store, in: .all)
    }

    /// The legend's name of the run: method and seed (the directory too where those repeat in an overlay).
    public func label(among runs: [PlotRun]) -> String {
        let short = "\(method) seed \(seed)"
        let same = runs.filter { "\($0.method) seed \($0.seed)" == short }.count
        return same > 1 ? "\(short) (\(name))" : short
    }

    /// Title line naming run, method, seed and dataset.
    public var identity: String { "run \(name) · method \(method) · seed \(seed) · \(dataset)" }

    /// The history's value `name` per step (NaN where absent).
    public func series(_ name: String) -> [(x: Double, y: Double)] {
        rows.map { (Double($0.step), $0.values[name] ?? .nan) }
    }

    public func hasFinite(_ name: String) -> Bool { rows.contains { $0.values[name]?.isFinite == true } }

    /// The method of a search (nil for other kinds).
    public var methodSpec: MethodSpec? { search?.replay.method }
}
