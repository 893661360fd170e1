// The CNN architecture search of SPEC §2 as a run kind of the shared trainer: per iteration an
// optional α step, a weight step, CRB pruning and ADMM updates; at each epoch end a supernet
// evaluation and the genotype. The trainer commits every step.

import Foundation
import DartsCore
import DartsNN
import ImageData
import Architecture
import RunStore
import Training

public final class CNNSearch: ConfiguredRunKind {
    public static let kindName = "cnn-search"

    public let configuration: SearchConfiguration
    public let method: MethodSpec
    public let model: Supernet
    let dataset: ImageDataset
    let sgd: SGD
    let adam: Adam
    var schedule: ArchitectureSchedule
    var regularizer: RegularizerState
    var trainStream: BatchStream
    var alphaStream: BatchStream
    let trainIndices: [Int]
    let alphaIndices: [Int]
    let augmentation: AugmentationConfig
    public var counters = LoopCounters()
    /// α steps taken so far.
    public internal(set) var alphaSteps = 0
    /// CRB: entries of α pruned for good, normal and reduce.
    var pruningNormal: CRBPruning
    var pruningReduce: CRBPruning

    /// Batches per epoch: one pass over the weight split.
    public var batchesPerEpoch: Int { trainStream.batchesPerPass }
    public var epochs: Int { configuration.epochs }

    // MARK: - Construction

    /// A fresh search at step 0 on `dataset`.
    public init(configuration: SearchConfiguration, dataset: ImageDataset) throws {
        try configuration.validate()
        try configuration.validateFitsMemory()
        self.configuration = configuration
        self.method = try MethodSpec.parse(configuration.method)
        self.dataset = dataset
        var rng = PhiloxRandom(seed: configuration.seed, stream: 0)
        model = Supernet(Self.supernetConfiguration(configuration, method: method, dataset: dataset), rng: &rng)
        sgd = SGD(lr: Float(configuration.learningRate), momentum: Float(configuration.momentum),
                  weightDecay: Float(configuration.weightDecay))
        adam = Adam(lr: Float(configuration.archLearningRate), beta1: Float(configuration.archBeta1),
                    beta2: Float(configuration.archBeta2), eps: Float(configuration.archEpsilon),
                    weightDecay: method.activation == .crb ? 0 : Float(configuration.archWeightDecay))
        schedule = ArchitectureSchedule(kind: method.schedule, r: configuration.stepRatio, tau0: configuration.fimtTau0,
                                        gammaInc: configuration.fimtGammaIncrease, beta: configuration.fimtBeta)
        regularizer = RegularizerState(kind: method.regularizer, rho: configuration.rho,
                                       admmFrequency: configuration.admmFrequency,
                                       admmDiscount: configuration.admmDiscount,
                                       alphas: [model.alphasNormal.value, model.alphasReduce.value])
        let p = configuration.trainFraction ?? method.trainFraction(r: configuration.stepRatio)
        let split = splitIndices(count: dataset.count, trainFraction: p)
        guard !split.train.isEmpty, !split.alpha.isEmpty else {
            throw TrainingError.invalidConfiguration(
                "the train/α split of \(dataset.count) images at fraction \(p) leaves one side empty; use a larger --subset")
        }
        trainIndices = split.train
        alphaIndices = split.alpha
        let augmentation = configuration.augment ? AugmentationConfig() : AugmentationConfig.none
        self.augmentation = augmentation
        trainStream = BatchStream(indices: split.train, batchSize: configuration.batchSize,
                                  seed: configuration.seed, stream: 1, augmentation: augmentation)
        alphaStream = BatchStream(indices: split.alpha, batchSize: configuration.batchSize,
                                  seed: configuration.seed, stream: 2, augmentation: augmentation)
        pruningNormal = CRBPruning(count: model.alphasNormal.value.count)
        pruningReduce = CRBPruning(count: model.alphasReduce.value.count)
    }

    /// A fresh search loading the dataset its configuration names.
    public convenience init(configuration: SearchConfiguration) throws {
        try configuration.validate()
        try configuration.validateFitsMemory()  // before the data is loaded
        try self.init(configuration: configuration, dataset: try Self.loadDataset(configuration))
    }

    /// The training files in the configuration's folder (none when they are not on disk:
    /// a search on data given in memory).
    public var dataSource: DataSource? {
        let dir = URL(fileURLWithPath: configuration.dataDirectory ?? configuration.dataset.defaultDirectory)
        let files = ImageDataset.files(configuration.dataset, directory: dir, split: .train)
        return files.isEmpty ? nil : DataSource(dataset: configuration.dataset.rawValue, directory: dir, files: files.map(\.lastPathComponent))
    }

    /// Loads the dataset named by `configuration` (training split, optional subset).
    public static func loadDataset(_ c: SearchConfiguration) throws -> ImageDataset {
        let dir = URL(fileURLWithPath: c.dataDirectory ?? c.dataset.defaultDirectory)
        if c.dataDirectory == nil && !FileManager.default.fileExists(atPath: dir.path) {
            // The default place is empty: say which flag points elsewhere.
            throw TrainingError.invalidConfiguration(
                "no \(c.dataset.rawValue) data at the default folder \(dir.path); pass --data PATH (the folder with \(c.dataset.fileNames(.train).joined(separator: ", ")))")
        }
        return try ImageDataset.load(c.dataset, directory: dir, split: .train, subset: c.subset)
    }

    static func supernetConfiguration(_ c: SearchConfiguration, method: MethodSpec, dataset: ImageDataset) -> SupernetConfiguration {
        SupernetConfiguration(channels: c.initChannels, layers: c.layers, classes: dataset.kind.classes,
                              inputChannels: dataset.channels, activation: method.activation)
    }

    // MARK: - One iteration

    public func iterate() throws -> StepOutput {
        var record = try searchIteration()
        record.alphaStepsTotal = alphaSteps
        return output(record)
    }

    /// Step 0: the initial activated α (replay derives step 0's genotype from them) and the
    /// observations of a step that did nothing (NaN losses), so its row shares the history's schema.
    public func initialOutput() -> StepOutput {
        var record = StepRecord()
        record.alphaStepsTotal = alphaSteps
        return output(record)
    }

    public func endEpoch(_ output: inout StepOutput) throws {
        let (loss, accuracy) = evaluateOnAlphaSplit()
        addEpochEnd(validationLoss: loss, validationAccuracy: accuracy, genotype: currentGenotype().description,
                    to: &output)
    }

    /// SPEC §2 steps 2–5 for batch `counters.batchInEpoch` (the trainer did step 1, the clock).
    func searchIteration() throws -> StepRecord {
        var record = StepRecord()
        let b = counters.batchInEpoch
        if b == 0 {
            // Epoch start: fresh permutations of both splits.
            trainStream.restart()
            alphaStream.restart()
        }
        let lr = cosineLearningRate(epoch: counters.epoch, epochs: configuration.epochs,
                                    base: configuration.learningRate, minimum: configuration.learningRateMin)
        sgd.lr = Float(lr)
        record.learningRate = lr

        // Second order needs the weight step's batch for the unrolled step: draw it first.
        let earlyTrainBatch = configuration.secondOrder ? trainStream.next(from: dataset) : nil

        // 2. Architecture step.
        let takeAlphaStep = schedule.shouldStepArchitecture(iterationInEpoch: b, globalIteration: counters.step)
        record.threshold = schedule.tau
        if takeAlphaStep {
            let batch = alphaStream.next(from: dataset)
            record.alphaIndices = batch.indices
            if let train = earlyTrainBatch {
                unrolledAlphaStep(train: train, valid: batch, learningRate: Float(lr), record: &record)
            } else {
                alphaStep(batch, record: &record)
            }
            alphaSteps += 1
        }
        record.alphaStep = takeAlphaStep

        // 3. Weight step.
        let batch = earlyTrainBatch ?? trainStream.next(from: dataset)
        record.trainIndices = batch.indices
        weightStep(batch, record: &record)
        record.fimtAverage = schedule.fbar

        // 4. CRB: prune α ≤ 0 for good.
        if method.activation == .crb { pruneNonPositiveAlphas() }
        // 5. ADMM: every admm_freq α steps update Z and U.
        if takeAlphaStep {
            regularizer.afterAlphaStep(alphas: model.alphas.map(\.value), activation: method.activation,
                                       space: model.configuration.space)
        }
        return record
    }

    /// First-order α step: gradient of CE on the α batch (BN in training mode), plus the
    /// regulariser, then Adam.
    func alphaStep(_ batch: Batch, record: inout StepRecord) {
        let r = model.backpropagate(batch, mode: .alphaStep)
        record.alphaAccuracy = r.accuracy
        finishAlphaStep(crossEntropy: r.loss, record: &record)
    }

    /// Second-order α step: the unrolled gradient (`unrolledArchitectureGradient`), the
    /// regulariser, then Adam.
    func unrolledAlphaStep(train: Batch, valid: Batch, learningRate eta: Float, record: inout StepRecord) {
        let (ce, acc) = unrolledArchitectureGradient(
            model: model, momentumBuffers: sgd.momentumBuffers, momentum: Float(configuration.momentum),
            weightDecay: Float(configuration.weightDecay), train: train, valid: valid, learningRate: eta)
        record.alphaAccuracy = acc
        finishAlphaStep(crossEntropy: ce, record: &record)
    }

    /// Adds the regulariser to α's gradient and takes the Adam step (shared by both orders).
    private func finishAlphaStep(crossEntropy ce: Double, record: inout StepRecord) {
        let reg = regularizer.addGradient(to: model.alphas, activation: method.activation, space: model.configuration.space,
                                          clockOverEpochs: counters.clock / Double(configuration.epochs))
        record.regularizer = reg
        record.alphaLoss = ce + reg
        // CRB: pruned entries stay exactly zero (Adam's moments must not move them).
        let frozen = method.activation == .crb
            ? [model.alphasNormal.name: pruningNormal.pruned, model.alphasReduce.name: pruningReduce.pruned] : nil
        adam.step(model.alphas, frozen: frozen)
    }

    func weightStep(_ batch: Batch, record: inout StepRecord) {
        let r = model.backpropagate(batch, mode: .weightStep)
        record.trainLoss = r.loss
        record.trainAccuracy = r.accuracy
        // FIMT: Σ over weights of squared gradients, before clipping and weight decay.
        record.fimt = model.weightGradientSquaredSum()
        let traces = model.edgeTraces()
        record.edgeTraceNormal = traces.normal
        record.edgeTraceReduce = traces.reduce
        record.gradientNorm = finishWeightStep(model.weights, fimt: record.fimt, schedule: &schedule, sgd: sgd,
                                               clip: configuration.gradientClip)
    }

    /// Sets every α ≤ 0 to zero and marks it pruned for the rest of the search.
    func pruneNonPositiveAlphas() {
        pruningNormal.prune(&model.alphasNormal.value)
        pruningReduce.prune(&model.alphasReduce.value)
        regularizer.updateMasks([pruningNormal.activeMask, pruningReduce.activeMask])
    }

    // MARK: - Evaluation and genotype

    /// Evaluation-mode loss and accuracy of the supernet on the whole α split.
    public func evaluateOnAlphaSplit() -> (loss: Double, accuracy: Double) {
        meanLossAndAccuracy(of: dataset, indices: alphaIndices, batchSize: configuration.evaluationBatchSize) {
            model.evaluate($0)
        }
    }

    /// act(α) of both cell types as row-major matrices (edges × ops).
    public func activatedAlphas() -> (normal: Tensor, reduce: Tensor) {
        (method.activation.apply(model.alphasNormal.value), method.activation.apply(model.alphasReduce.value))
    }

    public func currentGenotype() -> Genotype {
        Genotype.derive(activated: [method.activation.activatedRows(model.alphasNormal.value),
                                    method.activation.activatedRows(model.alphasReduce.value)],
                        space: model.configuration.space)
    }

    public func finish() throws -> RunResult {
        let genotype = currentGenotype().description
        return RunResult(summary: genotype, status: ["genotype": genotype], artifacts: ["genotype.txt": genotype + "\n"])
    }
}

extension SearchConfiguration: StoredRunConfiguration {}
