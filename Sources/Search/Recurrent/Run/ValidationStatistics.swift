// Which batch-norm statistics the text search's epoch-end validation normalises with.
//
// The search cell has one batch norm shared by s0 and all 8 nodes at every time step (SPEC §7),
// so its running statistics are an EMA over 9·bptt uses per forward, dominated by the last
// nodes of the last steps. Evaluation mode then normalises every node with those figures, while
// training normalises each use with its own batch statistics: the evaluated function is not the
// trained one. Measured on the shared PTB files (TextSearchEndToEnd's small real search: 40 000
// training tokens, nhid 32, 4 epochs), the same weights validate at perplexity 789.5 with running
// and 617.2 with batch statistics (the add-one unigram model: 690.7).

/// `running`: DARTS's evaluation mode (the default, comparable with DARTS's search logs).
/// `batch`: each validation batch's own statistics per use, as training normalises; the running
/// statistics are left as they were, so training, checkpoints and digests do not change.
public enum ValidationStatistics: String, Codable, CaseIterable, Sendable {
    case running
    case batch
}
