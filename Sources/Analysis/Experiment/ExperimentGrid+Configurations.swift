// What each cell of a grid runs: its search's configuration (the profile's preset with the
// cell's method, seed, dataset and data folder) and its evaluation's (the evaluation profile's
// preset with the cell's seed; the genotype and data come from the finished search).

import Evaluation
import Search

extension ExperimentGrid {
    public func searchConfiguration(_ cell: Cell) -> SearchConfiguration {
        var c = SearchConfiguration.preset(profile)
        c.method = cell.method
        c.seed = cell.seed
        c.dataset = cell.dataset
        if let folder = data[cell.dataset.rawValue] { c.dataDirectory = folder }
        return c
    }

    public func evaluationConfiguration(_ cell: Cell) -> EvaluationRunConfiguration {
        var c = EvaluationRunConfiguration.preset(evaluationProfile ?? .paper)
        c.seed = cell.seed
        return c
    }
}
