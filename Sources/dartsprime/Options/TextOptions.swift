// The settings only a Penn Treebank search (`--dataset ptb`) has: which files train, a token
// subset, the BPTT length, the model size and TAR.

import ArgumentParser
import Search
import TextData

extension ValidationStatistics: ExpressibleByArgument {}

struct TextOptions: ParsableArguments {
    @Option(name: .customLong("ptb-layout"),
            help: "standard (ptb.train.txt trains, ptb.valid.txt validates) or valid-as-train (ptb.valid.txt trains, ptb.test.txt validates).")
    var layout: TextCorpus.Layout?
    @Option(parsing: .unconditional, help: "Use only the first N tokens of the train and of the valid split.")
    var tokens: Int?
    @Option(parsing: .unconditional, help: "BPTT length (35; each batch is this long w.p. 0.95, else half).")
    var bptt: Int?
    @Option(parsing: .unconditional, help: "Embedding and hidden size (300; the decoder is tied to the embedding).")
    var nhid: Int?
    @Option(name: .customLong("dropout-x"), parsing: .unconditional, help: "Dropout on the cell input x (0.75).")
    var dropoutX: Double?
    @Option(name: .customLong("dropout-h"), parsing: .unconditional, help: "Dropout on every state fed to a matrix (0.25).")
    var dropoutH: Double?
    @Option(name: .customLong("dropout-input"), parsing: .unconditional, help: "Locked dropout on the embedding (0.2).")
    var dropoutInput: Double?
    @Option(name: .customLong("dropout-output"), parsing: .unconditional, help: "Locked dropout on the cell outputs (0.75).")
    var dropoutOutput: Double?
    @Option(parsing: .unconditional, help: "Temporal activation regularisation coefficient of the weight step (1e-3).")
    var tar: Double?
    @Option(name: .customLong("validation-statistics"),
            help: "Batch-norm statistics of the epoch-end validation: running (DARTS's evaluation mode) or batch (each batch's own, as training normalises; the shared BN's running statistics misfit its 9 uses per step).")
    var validationStatistics: ValidationStatistics?

    /// The flags given, as they are spelled (refused without --dataset ptb).
    var given: [String] {
        [(layout != nil, "--ptb-layout"), (tokens != nil, "--tokens"), (bptt != nil, "--bptt"), (nhid != nil, "--nhid"),
         (tar != nil, "--tar"), (dropoutX != nil, "--dropout-x"), (dropoutH != nil, "--dropout-h"),
         (dropoutInput != nil, "--dropout-input"), (dropoutOutput != nil, "--dropout-output"),
         (validationStatistics != nil, "--validation-statistics")].filter(\.0).map(\.1)
    }

    func apply(to c: inout RecurrentSearchRunConfiguration) {
        if let v = layout { c.layout = v }
        if let v = tokens { c.tokens = v }
        if let v = bptt { c.bptt = v }
        if let v = nhid { c.hiddenSize = v }
        if let v = tar { c.tarCoefficient = v }
        if let v = dropoutX { c.dropoutX = v }
        if let v = dropoutH { c.dropoutH = v }
        if let v = dropoutInput { c.dropoutInput = v }
        if let v = dropoutOutput { c.dropoutOutput = v }
        if let v = validationStatistics { c.validationStatistics = v }
    }
}
