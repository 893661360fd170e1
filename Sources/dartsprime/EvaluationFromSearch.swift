// The genotype an evaluation trains, replayed from a search run's step with its provenance:
// shared by `evaluate RUN` and the evaluation tasks of `experiment`.

import Foundation
import Analysis
import Evaluation
import RunStore
import Search
import Training

/// The genotype of step `step` (default: the newest) of the search in `run` and its provenance
/// (run, identity, step, state digest), with the replay that read it.
func replayedGenotype(fromSearch run: URL, step: Int?) throws -> (genotype: String, source: EvaluationSource, replay: Replay) {
    let replay = try Replay(directory: run)
    let replayed = try replay.step(step)
    let row = try replay.store.history().first { $0.step == replayed.step }
    let source = EvaluationSource(run: replay.store.url.path, runIdentity: try replay.store.identity(),
                                  step: replayed.step, stateDigest: row?.stateDigest)
    return (replayed.genotype.description, source, replay)
}

/// An evaluation's configuration as far as its genotype goes: the text, where it came from, and
/// how to take both from a search run.
protocol GenotypeChoosing {
    var genotype: String { get set }
    var source: EvaluationSource { get set }
    mutating func takeGenotype(fromSearch run: URL, step: Int?) throws
}

extension EvaluationRunConfiguration: GenotypeChoosing {}
extension RecurrentEvaluationConfiguration: GenotypeChoosing {}

extension EvaluationRunConfiguration {
    /// Sets the genotype of step `step` of the CNN search in `run`, its provenance and the
    /// search's dataset and data folder: a cell found on Fashion-MNIST is evaluated there.
    mutating func takeGenotype(fromSearch run: URL, step: Int?) throws {
        let (text, from, replay) = try replayedGenotype(fromSearch: run, step: step)
        guard let search = replay.configuration else {
            throw RuntimeFailure("\(replay.store.url.path) is a \(replay.store.runKind) run: its recurrent genotype is evaluated with --dataset ptb")
        }
        genotype = text
        source = from
        dataset = search.dataset
        dataDirectory = (try replay.store.readDataLocation())?.directory ?? search.dataDirectory
    }
}

extension RecurrentEvaluationConfiguration {
    /// Sets the genotype of step `step` of the Penn Treebank search in `run`, its provenance and
    /// the search's corpus folder and layout.
    mutating func takeGenotype(fromSearch run: URL, step: Int?) throws {
        let store = try RunStore.open(at: run, readOnly: true)
        guard store.runKind == RecurrentSearch.kindName else {
            throw RuntimeFailure("\(store.url.path) is a \(store.runKind) run, not a search on text; --dataset ptb evaluates recurrent genotypes")
        }
        let search = try StateJSON.decode(RecurrentSearchRunConfiguration.self, store.configurationJSON, key: "configuration")
        let (text, from, replay) = try replayedGenotype(fromSearch: run, step: step)
        genotype = text
        source = from
        layout = search.layout
        dataDirectory = (try replay.store.readDataLocation())?.directory ?? search.dataDirectory
    }
}
