// What each cell of a grid runs: its search's configuration (the profile's preset with the
// cell's method, seed, dataset and data folder, and for Penn Treebank the grid's layout) and its
// evaluation's (the evaluation profile's preset with the cell's seed; the genotype and data
// come from the finished search).

import Evaluation
import Search

extension ExperimentGrid {
    /// A cell's search: the CNN search of an image dataset or the recurrent search of Penn Treebank.
    public enum SearchSetup {
        case image(SearchConfiguration)
        case text(RecurrentSearchRunConfiguration)
    }

    /// A cell's evaluation, before the genotype of its search is taken.
    public enum EvaluationSetup {
        case image(EvaluationRunConfiguration)
        case text(RecurrentEvaluationConfiguration)
    }

    public func search(_ cell: Cell) -> SearchSetup {
        let folder = data[cell.dataset.rawValue]
        guard let image = cell.dataset.image else {
            var c = RecurrentSearchRunConfiguration.preset(profile)
            c.method = cell.method
            c.seed = cell.seed
            if let folder { c.dataDirectory = folder }
            if let ptbLayout { c.layout = ptbLayout }
            return .text(c)
        }
        var c = SearchConfiguration.preset(profile)
        c.method = cell.method
        c.seed = cell.seed
        c.dataset = image
        if let folder { c.dataDirectory = folder }
        return .image(c)
    }

    public func evaluation(_ cell: Cell) -> EvaluationSetup {
        let profile = evaluationProfile ?? .paper
        guard cell.dataset.image != nil else {
            var c = RecurrentEvaluationConfiguration.preset(profile)
            c.seed = cell.seed
            return .text(c)
        }
        var c = EvaluationRunConfiguration.preset(profile)
        c.seed = cell.seed
        return .image(c)
    }
}
