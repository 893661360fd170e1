// The Penn Treebank search of SPEC §7 as a run kind of the shared trainer: per iteration an
// optional α step on the valid split (first order, or DARTS's unrolled second order), a
// truncated-BPTT weight step with the hidden state carried without gradient, CRB pruning and
// ADMM updates; at each epoch end the validation perplexity and the recurrent genotype. The
// schedules, regularisers, optimisers and step parts are the CNN search's (SearchStepParts.swift).

import Foundation
import DartsCore
import DartsNN
import TextData
import Architecture
import RunStore
import Training

public final class RecurrentSearch: ConfiguredRunKind {
    public static let kindName = "rnn-search"
    /// Philox streams of the run's seed: 0 the initial weights and α, these two the data.
    static let lengthStream: UInt64 = 1
    static let maskStream: UInt64 = 2

    public let configuration: RecurrentSearchRunConfiguration
    public let method: MethodSpec
    public let model: RecurrentSearchModel
    public let corpus: TextCorpus
    let sgd: SGD
    let adam: Adam
    let masks: RecurrentMaskSampler
    var schedule: ArchitectureSchedule
    var regularizer: RegularizerState
    var pruning: CRBPruning
    var trainStream: TruncatedBPTTStream
    /// The valid split in `batchSize` columns: the α batches (row i mod (rows − 1)).
    let alphaMatrix: TokenMatrix
    /// The valid split in `evaluationBatchSize` columns: the epoch-end perplexity.
    let evaluationMatrix: TokenMatrix
    /// Draws every pass's dropout masks.
    var maskRandom: PhiloxRandom
    /// The hidden states carried across batches (no gradient): the weight steps' and the α steps'.
    var trainHidden: Tensor
    var alphaHidden: Tensor
    public var counters = LoopCounters()
    public internal(set) var alphaSteps = 0

    public var batchesPerEpoch: Int { trainStream.batchesPerPass }
    public var epochs: Int { configuration.epochs }

    // MARK: - Construction

    /// A fresh search at step 0 on `corpus`.
    public init(configuration: RecurrentSearchRunConfiguration, corpus: TextCorpus) throws {
        try configuration.validate()
        self.configuration = configuration
        method = try configuration.methodSpec
        self.corpus = corpus
        let c = configuration
        var rng = PhiloxRandom(seed: c.seed, stream: 0)
        model = RecurrentSearchModel(RecurrentSearchConfiguration(vocabulary: corpus.vocabulary.count, inputSize: c.hiddenSize,
                                                                  hiddenSize: c.hiddenSize, activation: method.activation),
                                     rng: &rng)
        sgd = SGD(lr: Float(c.learningRate), momentum: 0, weightDecay: Float(c.weightDecay))
        adam = Adam(lr: Float(c.archLearningRate), beta1: Float(c.archBeta1), beta2: Float(c.archBeta2),
                    eps: Float(c.archEpsilon), weightDecay: method.activation == .crb ? 0 : Float(c.archWeightDecay))
        masks = c.maskSampler
        schedule = ArchitectureSchedule(kind: method.schedule, r: c.stepRatio, tau0: c.fimtTau0,
                                        gammaInc: c.fimtGammaIncrease, beta: c.fimtBeta)
        regularizer = RegularizerState(kind: method.regularizer, rho: c.rho, admmFrequency: c.admmFrequency,
                                       admmDiscount: c.admmDiscount, alphas: [model.alpha.value])
        pruning = CRBPruning(count: model.alpha.value.count)
        let train = Self.prefix(corpus.train, c.tokens), valid = Self.prefix(corpus.valid, c.tokens)
        trainStream = try TruncatedBPTTStream(data: try TokenMatrix(batchifying: train, columns: c.batchSize, source: corpus.train.path),
                                              bptt: c.bptt, random: PhiloxRandom(seed: c.seed, stream: Self.lengthStream))
        alphaMatrix = try TokenMatrix(batchifying: valid, columns: c.batchSize, source: corpus.valid.path)
        try alphaMatrix.require(rows: 2, for: "the α batches (batch size \(c.batchSize))")
        evaluationMatrix = try TokenMatrix(batchifying: valid, columns: c.evaluationBatchSize, source: corpus.valid.path)
        try evaluationMatrix.require(rows: 2, for: "the validation perplexity (--eval-batch-size \(c.evaluationBatchSize))")
        maskRandom = PhiloxRandom(seed: c.seed, stream: Self.maskStream)
        trainHidden = model.initialHidden(batchSize: c.batchSize)
        alphaHidden = model.initialHidden(batchSize: c.batchSize)
    }

    /// A fresh search reading the corpus its configuration names.
    public convenience init(configuration: RecurrentSearchRunConfiguration) throws {
        try configuration.validate()
        try self.init(configuration: configuration, corpus: try Self.loadCorpus(configuration))
    }

    public var dataSource: DataSource? {
        DataSource(dataset: "ptb", directory: corpus.directory, files: corpus.fileNames)
    }

    /// The corpus in the configured folder (or the default one, which names --data when absent)
    /// and layout.
    public static func loadCorpus(_ c: RecurrentSearchRunConfiguration) throws -> TextCorpus {
        let dir = URL(fileURLWithPath: c.dataDirectory ?? RecurrentSearchRunConfiguration.defaultDirectory)
        do {
            return try TextCorpus.loadForRun(directory: dir, layout: c.layout)
        } catch let TextDataError.missingFolder(path) where c.dataDirectory == nil {
            throw TrainingError.invalidConfiguration(
                "no ptb data at the default folder \(path); pass --data PATH (the folder with \(TextCorpus.fileNames(c.layout).joined(separator: ", ")))")
        }
    }

    /// The first `count` tokens of `split` (all when nil).
    static func prefix(_ split: TextSplit, _ count: Int?) -> [Int] {
        count.map { Array(split.tokens.prefix($0)) } ?? split.tokens
    }

    // MARK: - One iteration

    public func iterate() throws -> StepOutput {
        var record = RecurrentStepRecord()
        try searchIteration(&record)
        record.common.alphaStepsTotal = alphaSteps
        return output(record)
    }

    public func initialOutput() -> StepOutput {
        var record = RecurrentStepRecord()
        record.common.alphaStepsTotal = alphaSteps
        return output(record)
    }

    public func endEpoch(_ output: inout StepOutput) throws {
        addEpochEnd(validationLoss: try validationLoss(), genotype: currentGenotype().description, to: &output)
    }

    /// SPEC §7 for batch `counters.batchInEpoch` (the trainer advanced the clock).
    func searchIteration(_ record: inout RecurrentStepRecord) throws {
        let b = counters.batchInEpoch
        if b == 0 { trainStream.restart() }
        let batch = trainStream.next()
        if batch.startsPass {
            // DARTS's train(): both hidden states start from zeros each epoch.
            trainHidden = model.initialHidden(batchSize: configuration.batchSize)
            alphaHidden = model.initialHidden(batchSize: configuration.batchSize)
        }
        let lr = configuration.learningRate * batch.learningRateScale
        sgd.lr = Float(lr)
        record.common.learningRate = lr
        record.trainRow = batch.batch.row
        record.length = batch.batch.length

        // α step: NLL on the valid batch at row i mod (rows − 1), the regulariser, Adam.
        let takeAlphaStep = schedule.shouldStepArchitecture(iterationInEpoch: b, globalIteration: counters.step)
        record.common.threshold = schedule.tau
        if takeAlphaStep {
            let valid = alphaMatrix.cyclicBatch(trainRow: batch.batch.row, length: configuration.bptt)
            record.alphaRow = valid.row
            alphaStep(valid, train: configuration.secondOrder ? batch.batch : nil, record: &record.common)
            alphaSteps += 1
        }
        record.common.alphaStep = takeAlphaStep

        // Weight step: NLL + TAR, FIMT, clipping, SGD at lr·ℓ/bptt.
        let r = model.backpropagate(input: batch.batch.inputs, target: batch.batch.targets, batchSize: configuration.batchSize,
                                    hidden: trainHidden, masks: drawMasks(), mode: .weightStep,
                                    tarCoefficient: Float(configuration.tarCoefficient))
        trainHidden = r.hidden
        record.common.trainLoss = r.nll
        record.tar = r.tar
        record.common.fimt = model.weightGradientSquaredSum()
        record.common.gradientNorm = finishWeightStep(model.weights, fimt: record.common.fimt, schedule: &schedule, sgd: sgd,
                                                      clip: configuration.gradientClip)
        record.common.fimtAverage = schedule.fbar

        if method.activation == .crb {
            pruning.prune(&model.alpha.value)
            regularizer.updateMasks([pruning.activeMask])
        }
        if takeAlphaStep {
            regularizer.afterAlphaStep(alphas: [model.alpha.value], activation: method.activation, space: model.configuration.space)
        }
    }

    /// α step (DARTS: NLL alone, no TAR), the regulariser's gradient, then Adam. First order
    /// without `train`: ∇α at the current weights, one mask draw. Second order with `train`, the
    /// batch the weight step then takes (from the current `trainHidden`, which it does not
    /// advance): the unrolled gradient (`unrolledArchitectureGradient(model:…)`, four mask draws)
    /// at η = this step's SGD learning rate (ℓ/bptt-scaled), the α loss the NLL at w′.
    func alphaStep(_ valid: SequenceBatch, train: SequenceBatch?, record: inout StepRecord) {
        let c = configuration
        let r: RecurrentPassResult
        if let train {
            r = unrolledArchitectureGradient(model: model, train: train, trainHidden: trainHidden, valid: valid,
                                             validHidden: alphaHidden, weightDecay: Float(c.weightDecay),
                                             clip: Float(c.gradientClip), learningRate: sgd.lr, masks: { drawMasks() })
        } else {
            r = model.backpropagate(input: valid.inputs, target: valid.targets, batchSize: c.batchSize,
                                    hidden: alphaHidden, masks: drawMasks(), mode: .alphaStep, tarCoefficient: 0)
        }
        alphaHidden = r.hidden
        let reg = regularizer.addGradient(to: [model.alpha], activation: method.activation, space: model.configuration.space,
                                          clockOverEpochs: counters.clock / Double(configuration.epochs))
        record.regularizer = reg
        record.alphaLoss = r.nll + reg
        // CRB: pruned entries stay exactly zero (Adam's moments must not move them).
        adam.step([model.alpha], frozen: method.activation == .crb ? [model.alpha.name: pruning.pruned] : nil)
    }

    func drawMasks() -> RecurrentMasks {
        masks.sample(batchSize: configuration.batchSize, inputSize: configuration.hiddenSize,
                     hiddenSize: configuration.hiddenSize, rng: &maskRandom)
    }

    // MARK: - Evaluation and genotype

    /// Mean NLL per token of the valid split (evaluation batch columns, bptt-long batches, the
    /// hidden state carried from zeros) under `validationStatistics`; the perplexity is its
    /// exponential. Nothing the search trains or stores changes.
    public func validationLoss() throws -> Double {
        let sequences = try EvaluationSequences(data: evaluationMatrix, bptt: configuration.bptt)
        let batchStatistics = configuration.validationStatistics == .batch
        // Batch statistics run batch norm in training mode, which updates the running statistics.
        let statistics = batchStatistics ? model.buffers.map(\.value) : []
        defer { for (p, v) in zip(model.buffers, statistics) { p.value = v } }
        var hidden = model.initialHidden(batchSize: evaluationMatrix.columns)
        return sequences.meanPerToken { batch in
            let r = model.evaluate(input: batch.inputs, target: batch.targets, batchSize: batch.columns, hidden: hidden,
                                   batchStatistics: batchStatistics)
            hidden = r.hidden
            return r.nll
        }
    }

    public func currentGenotype() -> Genotype {
        Genotype.derive(activated: [method.activation.activatedRows(model.alpha.value)], space: model.configuration.space)
    }

    public func finish() throws -> RunResult {
        let genotype = currentGenotype().description
        return RunResult(summary: genotype, status: ["genotype": genotype], artifacts: ["genotype.txt": genotype + "\n"])
    }
}

extension RecurrentSearchRunConfiguration: StoredRunConfiguration {}
