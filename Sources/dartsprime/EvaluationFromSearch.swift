// The genotype an evaluation trains, replayed from a search run's step with its provenance:
// shared by `evaluate RUN` and the evaluation tasks of `experiment`.

import Foundation
import Analysis
import Evaluation

extension EvaluationRunConfiguration {
    /// Sets the genotype of step `step` (default: the newest) of the search in `run`, the
    /// provenance (run, identity, step, state digest) and the search's dataset and data folder:
    /// a cell found on Fashion-MNIST is evaluated there.
    mutating func takeGenotype(fromSearch run: URL, step: Int?) throws {
        let replay = try Replay(directory: run)
        let replayed = try replay.step(step)
        let row = try replay.store.history().first { $0.step == replayed.step }
        genotype = replayed.genotype.description
        source = EvaluationSource(run: replay.store.url.path, runIdentity: try replay.store.identity(),
                                  step: replayed.step, stateDigest: row?.stateDigest)
        dataset = replay.configuration.dataset
        dataDirectory = (try replay.store.readDataLocation())?.directory ?? replay.configuration.dataDirectory
    }
}
