// The evaluation of a recurrent genotype (SPEC §7) as a run kind of the shared trainer: the
// genotype's fixed cell trained from scratch by truncated BPTT on the train split (SGD with
// lr·ℓ/bptt, clipping, the dropouts and TAR of DARTS's rnn train.py), validation perplexity
// at every epoch end, averaged SGD once validation stops improving (AveragedSGDSwitch), and
// the test perplexity (batch 1) after the last epoch; validation and test read the averaged
// weights once averaging.

import Foundation
import DartsCore
import DartsNN
import Architecture
import TextData
import RunStore
import Training

public final class RecurrentEvaluation: ConfiguredRunKind {
    public static let kindName = "rnn-evaluation"

    public let configuration: RecurrentEvaluationConfiguration
    public let genotype: Genotype
    public let model: RecurrentEvaluationModel
    let corpus: TextCorpus
    let trainMatrix: TokenMatrix
    let validation: EvaluationSequences
    let test: EvaluationSequences
    let sgd: SGD
    let average = WeightAverage()
    var asgd: AveragedSGDSwitch
    var stream: TruncatedBPTTStream
    /// The hidden state carried from batch to batch of a pass (zeros at a pass start), (B, H).
    var hidden: Tensor
    /// The dropout masks of every forward pass.
    var maskRandom: PhiloxRandom
    public var counters = LoopCounters()
    /// Mean NLL on the validation split at the newest epoch end, and on the test split at the end.
    public internal(set) var lastValidLoss: Double = .nan
    public internal(set) var testLoss: Double = .nan

    public var batchesPerEpoch: Int { stream.batchesPerPass }
    public var epochs: Int { configuration.epochs }

    /// A fresh evaluation at step 0 on `corpus` (each input checked first).
    public init(configuration c: RecurrentEvaluationConfiguration, corpus: TextCorpus) throws {
        try c.validate()
        let genotype: Genotype
        do { genotype = try Genotype(parsing: c.genotype, space: .recurrent) } catch {
            // A CNN genotype given for text: say what text needs.
            let hint = c.genotype.contains("recurrent=") ? "" : " (ptb needs a recurrent genotype, Genotype(recurrent=[…], concat=range(1, 9)))"
            throw TrainingError.invalidConfiguration("--genotype: \(error)\(hint)")
        }
        try c.validateFitsMemory(vocabulary: corpus.vocabulary.count)
        /// The first `n` tokens of `split` (all: nil) in `columns` columns.
        func matrix(_ split: TextSplit, _ n: Int?, _ columns: Int) throws -> TokenMatrix {
            try TokenMatrix(batchifying: n.map { Array(split.tokens.prefix($0)) } ?? split.tokens, columns: columns, source: split.path)
        }
        do {
            trainMatrix = try matrix(corpus.train, c.trainTokens, c.batchSize)
            validation = try EvaluationSequences(data: matrix(corpus.valid, c.validTokens, c.validationBatchSize), bptt: c.bptt)
            test = try EvaluationSequences(data: matrix(corpus.test, c.testTokens, c.testBatchSize), bptt: c.bptt)
            stream = try TruncatedBPTTStream(data: trainMatrix, bptt: c.bptt, random: PhiloxRandom(seed: c.seed, stream: 1))
        } catch let e as TextDataError { throw TrainingError.invalidConfiguration("\(e)") }
        configuration = c
        self.genotype = genotype
        self.corpus = corpus
        var rng = PhiloxRandom(seed: c.seed, stream: 0)
        model = try RecurrentEvaluationModel(genotype: genotype, vocabulary: corpus.vocabulary.count, hiddenSize: c.hiddenSize,
                                             range: Float(c.initRange), rng: &rng)
        sgd = SGD(lr: Float(c.learningRate), momentum: 0, weightDecay: Float(c.weightDecay))
        asgd = AveragedSGDSwitch(window: c.nonmono, forcedEpoch: c.asgdEpoch)
        hidden = Tensor(shape: [c.batchSize, c.hiddenSize])
        maskRandom = PhiloxRandom(seed: c.seed, stream: 2)
    }

    /// A fresh evaluation reading the corpus its configuration names.
    public convenience init(configuration c: RecurrentEvaluationConfiguration) throws {
        try c.validate()
        try self.init(configuration: c, corpus: try Self.loadCorpus(c))
    }

    public var dataSource: DataSource? {
        DataSource(dataset: "ptb", directory: corpus.directory, files: corpus.fileNames)
    }

    /// The corpus in the configured folder and layout; there is no default folder.
    public static func loadCorpus(_ c: RecurrentEvaluationConfiguration) throws -> TextCorpus {
        guard let dir = c.dataDirectory else {
            throw TrainingError.invalidConfiguration(
                "--data DIR is needed for ptb (the folder with \(TextCorpus.fileNames(c.layout).joined(separator: ", ")))")
        }
        return try TextCorpus.loadForRun(directory: URL(fileURLWithPath: dir), layout: c.layout)
    }

    // MARK: - One iteration

    public func iterate() throws -> StepOutput {
        if counters.batchInEpoch == 0 { stream.restart() }
        let next = stream.next()
        if next.startsPass { hidden = Tensor(shape: hidden.shape) }  // DARTS's train(): init_hidden
        let lr = configuration.learningRate * next.learningRateScale
        sgd.lr = Float(lr)
        let batch = next.batch
        let masks = model.sampleMasks(batchSize: configuration.batchSize, dropouts: configuration.dropouts, rng: &maskRandom)
        for p in model.weights { p.zeroGrad() }
        let tape = Tape()
        let f = model.forward(inputs: batch.inputs, steps: batch.length, hidden: hidden, masks: masks, tape, .weightStep)
        let (loss, nll) = model.trainingLoss(f, targets: batch.targets, ar: configuration.ar, tar: configuration.tar, tape)
        let lossValue = Double(tape.value(loss).scalar), nllValue = Double(tape.value(nll).scalar)
        tape.backward(loss)
        hidden = f.hidden
        let gradNorm = Double(clipGradientNorm(model.weights, maxNorm: Float(configuration.gradientClip)))
        sgd.step(model.weights)
        if asgd.averaging { average.update(model.weights) }

        var out = StepOutput()
        out.observations.scalar("loss/train", lossValue)
        out.observations.scalar("loss/train_nll", nllValue)
        out.observations.integer("data/row", batch.row)
        out.observations.integer("data/length", batch.length)
        out.history = ["lr": lr, "train_loss": lossValue, "train_nll": nllValue, "train_ppl": exp(nllValue),
                       "grad_norm": gradNorm, "seq_len": Double(batch.length), "asgd": asgd.averaging ? 1 : 0,
                       "valid_loss": .nan, "valid_ppl": .nan]
        out.loss = nllValue
        out.progressExtras = [("ppl", String(format: "%.1f", exp(nllValue))), ("lr", String(format: "%.3f", lr))]
        out.mustBeFinite = [("training loss", lossValue), ("weight gradient norm", gradNorm)]
        return out
    }

    public func initialOutput() -> StepOutput {
        var out = StepOutput()
        out.history = ["lr": .nan, "train_loss": .nan, "train_nll": .nan, "train_ppl": .nan, "grad_norm": .nan,
                       "seq_len": .nan, "asgd": 0, "valid_loss": .nan, "valid_ppl": .nan]
        return out
    }

    /// Validation (averaged weights once averaging), the switch rule, and after the last epoch
    /// the test split. The trainer has counted the epoch's last batch; `counters.epoch` is the
    /// epoch's 0-based index.
    public func endEpoch(_ output: inout StepOutput) throws {
        let epoch = counters.epoch + 1
        lastValidLoss = evaluate(validation)
        let switched = asgd.endEpoch(epoch, validationLoss: lastValidLoss)
        output.history["valid_loss"] = lastValidLoss
        output.history["valid_ppl"] = exp(lastValidLoss)
        output.mustBeFinite.append(("validation loss", lastValidLoss))
        output.observations.scalar("valid/loss", lastValidLoss)
        var summary = String(format: "valid loss %.4f ppl %.2f", lastValidLoss, exp(lastValidLoss))
        if epoch == configuration.epochs {
            testLoss = evaluate(test)
            output.history["test_loss"] = testLoss
            output.history["test_ppl"] = exp(testLoss)
            output.observations.scalar("test/loss", testLoss)
            summary += String(format: ", test ppl %.2f", exp(testLoss))
        }
        output.epochSummary = summary
        if switched { output.epochNote = "switching to averaged SGD after epoch \(epoch)" }
    }

    /// Mean NLL per token of `batches`, with the averaged weights once averaging.
    public func evaluate(_ batches: EvaluationSequences) -> Double {
        average.withAverages(model.weights) { model.meanNLL(batches) }
    }

    public var parameterMillions: Double { Double(model.parameterCount) / 1e6 }

    public func finish() throws -> RunResult { try finish(wallSeconds: nil) }
    public func finish(wallSeconds: Double) throws -> RunResult { try finish(wallSeconds: Optional(wallSeconds)) }

    /// The result; evaluation.json keeps `wall_seconds` when the trainer gives it.
    private func finish(wallSeconds: Double?) throws -> RunResult {
        if !lastValidLoss.isFinite { lastValidLoss = evaluate(validation) }
        if !testLoss.isFinite { testLoss = evaluate(test) }
        let result = RecurrentEvaluationResult(
            validPerplexity: exp(lastValidLoss), testPerplexity: exp(testLoss), validLoss: lastValidLoss, testLoss: testLoss,
            parametersMillions: parameterMillions, parameters: model.parameterCount, genotype: genotype.description,
            source: configuration.source, steps: counters.step, averagedSGD: asgd.averaging,
            switchedAfterEpoch: asgd.switchedAfterEpoch, vocabulary: model.vocabulary,
            testTokens: (test.data.rows - 1) * test.data.columns, wallSeconds: wallSeconds)
        let summary = String(format: "valid_ppl=%.2f test_ppl=%.2f params_m=%.6f", result.validPerplexity,
                             result.testPerplexity, parameterMillions)
        return RunResult(summary: summary, status: ["valid_ppl": String(format: "%.4f", result.validPerplexity),
                                                    "test_ppl": String(format: "%.4f", result.testPerplexity)],
                         artifacts: ["evaluation.json": try result.json()])
    }
}

/// What `evaluation.json` keeps of a finished recurrent evaluation.
public struct RecurrentEvaluationResult: Codable, Equatable, Sendable {
    public var validPerplexity: Double
    public var testPerplexity: Double
    public var validLoss: Double
    public var testLoss: Double
    public var parametersMillions: Double
    public var parameters: Int
    public var genotype: String
    public var source: EvaluationSource
    public var steps: Int
    public var averagedSGD: Bool
    public var switchedAfterEpoch: Int?
    public var vocabulary: Int
    public var testTokens: Int
    public var wallSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case validPerplexity = "valid_ppl", testPerplexity = "test_ppl", validLoss = "valid_loss", testLoss = "test_loss"
        case parametersMillions = "parameters_millions", parameters, genotype, source, steps
        case averagedSGD = "averaged_sgd", switchedAfterEpoch = "asgd_after_epoch", vocabulary
        case testTokens = "test_tokens", wallSeconds = "wall_seconds"
    }

    func json() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(self), as: UTF8.self) + "\n"
    }
}

extension RecurrentEvaluationConfiguration: StoredRunConfiguration {}
