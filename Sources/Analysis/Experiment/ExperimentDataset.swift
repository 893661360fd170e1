// A dataset of the experiment grid: an image set (its cells run the CNN search and evaluation)
// or Penn Treebank (its cells run the recurrent search and evaluation of SPEC §7, the paper's
// Table 2). The raw values are `search --dataset`'s, so an experiment.json written before
// Penn Treebank cells existed reads unchanged.

import ImageData

public enum ExperimentDataset: String, CaseIterable, Codable, Sendable {
    case cifar10
    case cifar100
    case fashionMNIST = "fashion-mnist"
    case ptb

    public init(_ image: DatasetKind) { self.init(rawValue: image.rawValue)! }

    /// The image dataset; nil for Penn Treebank.
    public var image: DatasetKind? { DatasetKind(rawValue: rawValue) }

    /// What the summary reports for this dataset's cells: an error in percent for images,
    /// a perplexity for text.
    public var metric: ExperimentMetric { self == .ptb ? .perplexity : .errorPercent }
}

/// The figure a cell contributes to the summary table.
public enum ExperimentMetric: String, Codable, Sendable {
    /// Test error (%) of the evaluation, else the search's final α-split error (%).
    case errorPercent = "error_percent"
    /// Test perplexity of the evaluation, else the search's final validation perplexity.
    case perplexity
}
