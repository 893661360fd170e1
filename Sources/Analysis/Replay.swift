// Replay of discretisation from stored artifacts alone: the genotype the projection (SPEC §4)
// derives from the activated α of any step, read from the never-pruned history, so it works
// for steps whose checkpoints retention deleted. No training, no weights.

import Foundation
import Architecture
import RunStore
import Search
import Training

/// The genotype of one step of a search.
public struct ReplayedStep: Sendable, Equatable {
    public var step: Int
    /// Epochs completed after the step (the history's `epoch` column).
    public var epoch: Int
    public var epochEnd: Bool
    public var genotype: Genotype
    /// Whether the genotype differs from the previous step's (the first step: false).
    public var changed: Bool
}

public enum ReplayError: Error, CustomStringConvertible, Equatable {
    case notASearch(run: String, kind: String)
    case noSuchStep(run: String, step: Int, last: Int?)
    case missingAlphas(run: String, step: Int)
    case checkpointDisagrees(run: String, step: Int, history: String, checkpoint: String)

    public var description: String {
        switch self {
        case let .notASearch(run, kind):
            return "\(run) holds a \(kind) run; replay derives the genotypes of searches"
        case let .noSuchStep(run, step, last):
            return "\(run) has no step \(step) (its history has steps 1…\(last.map(String.init) ?? "none"))"
        case let .missingAlphas(run, step):
            return "\(run): the history row of step \(step) has no activated α (alphas_<cell> for each cell type)"
        case let .checkpointDisagrees(run, step, h, c):
            return "\(run): step \(step)'s history gives \(h) but its checkpoint's α give \(c)"
        }
    }
}

/// Derives genotypes of a stored search.
public struct Replay {
    public let store: RunStore
    /// The CNN search's configuration; nil for a text search (`rnn-search`).
    public let configuration: SearchConfiguration?
    public let method: MethodSpec
    /// The space of α's columns (CRB: without `none`).
    public let space: SearchSpace

    /// Opens `directory` read-only; refuses runs that are not searches.
    public init(directory: URL) throws {
        try self.init(store: try RunStore.open(at: directory, readOnly: true))
    }

    /// Replays an open store (e.g. one `export` opened already); refuses runs that are not searches.
    public init(store: RunStore) throws {
        self.store = store
        switch store.runKind {
        case CNNSearch.kindName:
            let c = try StateJSON.decode(SearchConfiguration.self, store.configurationJSON, key: "configuration")
            configuration = c
            method = try MethodSpec.parse(c.method)
            space = method.activation.columnSpace(of: .cnn)
        case RecurrentSearch.kindName:
            let c = try StateJSON.decode(RecurrentSearchRunConfiguration.self, store.configurationJSON, key: "configuration")
            configuration = nil
            method = try c.methodSpec
            space = method.activation.columnSpace(of: .recurrent)
        default:
            throw ReplayError.notASearch(run: store.url.path, kind: store.runKind)
        }
    }

    /// Whether `kind` names a search run (CNN or text), whose α replay and export read.
    public static func isSearch(_ kind: String) -> Bool { [CNNSearch.kindName, RecurrentSearch.kindName].contains(kind) }

    /// Where a checkpoint keeps the raw α of `cell`, under `model/`: `alphas_<cell>` for CNN
    /// searches, `weights` (the PyTorch reference's name) for the text search's one cell.
    public func checkpointAlphaKey(_ cell: String) -> String {
        store.runKind == RecurrentSearch.kindName ? "weights" : "alphas_" + cell
    }

    /// Every step's genotype, in step order, with where it changed.
    public func allSteps() throws -> [ReplayedStep] {
        var out: [ReplayedStep] = []
        for row in try store.history() {
            let g = try genotype(of: row)
            out.append(ReplayedStep(step: row.step, epoch: Int(row.values["epoch"] ?? .nan), epochEnd: row.epochEnd,
                                    genotype: g, changed: out.last.map { $0.genotype != g } ?? false))
        }
        return out
    }

    /// The epoch-end steps' genotypes, `changed` relative to the previous epoch end (the first: false).
    public func epochEnds() throws -> [ReplayedStep] {
        Self.epochEnds(of: try allSteps())
    }

    /// The epoch ends among `steps` (all of a run's steps, in order), `changed` between epoch ends.
    public static func epochEnds(of steps: [ReplayedStep]) -> [ReplayedStep] {
        var rows = steps.filter(\.epochEnd)
        for i in rows.indices { rows[i].changed = i > 0 && rows[i].genotype != rows[i - 1].genotype }
        return rows
    }

    /// The genotype of `step` (default: the newest). Where the step's checkpoint still exists,
    /// its α are projected too and must give the same genotype.
    public func step(_ step: Int? = nil) throws -> ReplayedStep {
        let all = try allSteps()
        let wanted = step ?? all.last?.step ?? 0
        guard let found = all.first(where: { $0.step == wanted }) else {
            throw ReplayError.noSuchStep(run: store.url.path, step: wanted, last: all.last?.step)
        }
        if store.storedSteps.contains(wanted) {
            let fromCheckpoint = try genotypeOfCheckpoint(wanted)
            guard fromCheckpoint == found.genotype else {
                throw ReplayError.checkpointDisagrees(run: store.url.path, step: wanted, history: found.genotype.description,
                                                      checkpoint: fromCheckpoint.description)
            }
        }
        return found
    }

    /// The genotype the projection derives from a history row's activated α.
    func genotype(of row: HistoryRow) throws -> Genotype {
        var matrices: [[[Double]]] = []
        for type in space.cellTypes {
            guard let a = row.arrays["alphas_" + type], case let .float32(v) = a.data, a.shape == space.alphaShape else {
                throw ReplayError.missingAlphas(run: store.url.path, step: row.step)
            }
            let k = a.shape[1]
            matrices.append((0..<a.shape[0]).map { r in (0..<k).map { Double(v[r * k + $0]) } })
        }
        return Genotype.derive(activated: matrices, space: space)
    }

    /// The genotype of a stored checkpoint's raw α, activated as the search does.
    public func genotypeOfCheckpoint(_ step: Int) throws -> Genotype {
        let reader = StateReader(try store.load(step: step)).scoped("model")
        let matrices = try space.cellTypes.map { type in
            method.activation.activatedRows(try reader.tensor(checkpointAlphaKey(type), shape: space.alphaShape))
        }
        return Genotype.derive(activated: matrices, space: space)
    }
}
