// The recurrent evaluation's own flags (SPEC §7; DARTS's rnn train.py names where it has them).

import ArgumentParser
import Evaluation

struct TextEvaluationOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "ptb: hidden size = embedding size (850).") var nhid: Int?
    @Option(parsing: .unconditional, help: "ptb: truncated-BPTT length (35).") var bptt: Int?
    @Option(name: .customLong("train-tokens"), parsing: .unconditional, help: "ptb: train on the first N tokens only.") var trainTokens: Int?
    @Option(name: .customLong("valid-tokens"), parsing: .unconditional, help: "ptb: validate on the first N tokens only.") var validTokens: Int?
    @Option(name: .customLong("test-tokens"), parsing: .unconditional, help: "ptb: test on the first N tokens only.") var testTokens: Int?
    @Option(name: .customLong("test-batch-size"), parsing: .unconditional, help: "ptb: columns of the test pass (1).") var testBatchSize: Int?
    @Option(parsing: .unconditional, help: "ptb: locked dropout on the cell outputs (0.75).") var dropout: Double?
    @Option(parsing: .unconditional, help: "ptb: h-mask drop probability (0.25).") var dropouth: Double?
    @Option(parsing: .unconditional, help: "ptb: x-mask drop probability (0.75).") var dropoutx: Double?
    @Option(parsing: .unconditional, help: "ptb: locked dropout on the embedding (0.2).") var dropouti: Double?
    @Option(parsing: .unconditional, help: "ptb: embedding dropout, whole words (0.1).") var dropoute: Double?
    @Option(parsing: .unconditional, help: "ptb: temporal activation regularisation (1e-3).") var tar: Double?
    @Option(parsing: .unconditional, help: "ptb: activation regularisation (0).") var ar: Double?
    @Option(parsing: .unconditional, help: "ptb: epochs without improvement before averaged SGD (5).") var nonmono: Int?
    @Option(name: .customLong("asgd-epoch"), parsing: .unconditional, help: "ptb: switch to averaged SGD after this epoch at the latest.") var asgdEpoch: Int?

    /// Whether any of these flags was given (they mean nothing for images).
    var anyGiven: Bool {
        [nhid, bptt, trainTokens, validTokens, testTokens, testBatchSize, nonmono, asgdEpoch].contains { $0 != nil }
            || [dropout, dropouth, dropoutx, dropouti, dropoute, tar, ar].contains { $0 != nil }
    }

    func applySettings(to c: inout RecurrentEvaluationConfiguration) {
        if let v = nhid { c.hiddenSize = v }
        if let v = bptt { c.bptt = v }
        if let v = trainTokens { c.trainTokens = v }
        if let v = validTokens { c.validTokens = v }
        if let v = testTokens { c.testTokens = v }
        if let v = testBatchSize { c.testBatchSize = v }
        if let v = dropout { c.dropouts.output = v }
        if let v = dropouth { c.dropouts.hidden = v }
        if let v = dropoutx { c.dropouts.input = v }
        if let v = dropouti { c.dropouts.embedding = v }
        if let v = dropoute { c.dropouts.words = v }
        if let v = tar { c.tar = v }
        if let v = ar { c.ar = v }
        if let v = nonmono { c.nonmono = v }
        if let v = asgdEpoch { c.asgdEpoch = v }
    }
}
