// The search loop of SPEC §2: per iteration an optional α step, a weight step, CRB pruning and
// ADMM updates; at each epoch end a supernet evaluation and the genotype; every step committed
// to the run store.

import Foundation
import DartsCore
import DartsNN
import ImageData
import Architecture
import RunStore

/// Why `run` returned.
public enum SearchOutcome: Sendable, Equatable {
    /// All epochs done.
    case finished(genotype: String)
    /// Stopped after `--max-steps` or a stop request; the newest step is committed.
    case stopped(step: Int)
}

/// Progress reported after every committed step.
public struct SearchProgress: Sendable {
    public var step: Int
    public var totalSteps: Int
    public var epoch: Int
    public var epochs: Int
    public var record: StepRecord
    public var alphaSteps: Int
    public var secondsPerStep: Double
}

public final class SearchRunner {
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
    public internal(set) var counters: LoopCounters
    /// CRB: entries of α pruned for good, normal and reduce.
    var pruningNormal: CRBPruning
    var pruningReduce: CRBPruning

    /// Batches per epoch: one pass over the weight split.
    public var batchesPerEpoch: Int { trainStream.batchesPerPass }
    public var totalSteps: Int { batchesPerEpoch * configuration.epochs }

    // MARK: - Construction

    /// A fresh search at step 0.
    public init(configuration: SearchConfiguration, dataset: ImageDataset) throws {
        try configuration.validate()
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
        schedule = Self.makeSchedule(configuration, method: method)
        regularizer = RegularizerState(kind: method.regularizer, rho: configuration.rho,
                                       admmFrequency: configuration.admmFrequency,
                                       admmDiscount: configuration.admmDiscount,
                                       alphas: [model.alphasNormal.value, model.alphasReduce.value])
        let p = configuration.trainFraction ?? method.trainFraction(r: configuration.stepRatio)
        let split = splitIndices(count: dataset.count, trainFraction: p)
        guard !split.train.isEmpty, !split.alpha.isEmpty else {
            throw SearchError.invalidConfiguration(
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
        counters = LoopCounters()
        pruningNormal = CRBPruning(count: model.alphasNormal.value.count)
        pruningReduce = CRBPruning(count: model.alphasReduce.value.count)
    }

    static func supernetConfiguration(_ c: SearchConfiguration, method: MethodSpec, dataset: ImageDataset) -> SupernetConfiguration {
        SupernetConfiguration(channels: c.initChannels, layers: c.layers, classes: dataset.kind.classes,
                              inputChannels: dataset.channels, activation: method.activation)
    }

    static func makeSchedule(_ c: SearchConfiguration, method: MethodSpec) -> ArchitectureSchedule {
        ArchitectureSchedule(kind: method.schedule, r: c.stepRatio, tau0: c.fimtTau0,
                             gammaInc: c.fimtGammaIncrease, beta: c.fimtBeta)
    }

    // MARK: - The loop

    /// Runs until the search ends, `maxSteps` more iterations are done, or `shouldStop` says so
    /// (checked after each committed step). Commits every step to `store`.
    public func run(store: RunStore, maxSteps: Int? = nil, shouldStop: () -> Bool = { false },
                    progress: (SearchProgress) -> Void = { _ in }) throws -> SearchOutcome {
        var done = 0
        let started = Date()
        while counters.step < totalSteps {
            if let m = maxSteps, done >= m { return .stopped(step: counters.step) }
            let record = try iterate()
            let epochEnd = counters.batchInEpoch == 0
            try commit(record, to: store, epochEnd: epochEnd)
            done += 1
            let elapsed = Date().timeIntervalSince(started)
            progress(SearchProgress(step: counters.step, totalSteps: totalSteps, epoch: counters.epoch,
                                    epochs: configuration.epochs, record: record, alphaSteps: counters.alphaSteps,
                                    secondsPerStep: elapsed / Double(done)))
            if shouldStop() && counters.step < totalSteps { return .stopped(step: counters.step) }
        }
        let genotype = currentGenotype().description
        try store.writeArtifact(named: "genotype.txt", contents: genotype + "\n")
        try store.writeStatus(["state": "finished", "genotype": genotype, "step": String(counters.step)])
        return .finished(genotype: genotype)
    }

    /// One iteration (SPEC §2 steps 1–5), plus the epoch-end evaluation after the last batch.
    func iterate() throws -> StepRecord {
        var record = StepRecord()
        let nb = batchesPerEpoch
        let b = counters.batchInEpoch
        if b == 0 {
            // Epoch start: fresh permutations of both splits, learning rate of this epoch.
            trainStream.restart()
            alphaStream.restart()
        }
        let lr = cosineLearningRate(epoch: counters.epoch, epochs: configuration.epochs,
                                    base: configuration.learningRate, minimum: configuration.learningRateMin)
        sgd.lr = Float(lr)
        record.learningRate = lr
        counters.clock += 1.0 / Double(nb)

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
            counters.alphaSteps += 1
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
            regularizer.afterAlphaStep(alphas: [model.alphasNormal.value, model.alphasReduce.value],
                                       activation: method.activation, space: model.configuration.space)
        }

        counters.step += 1
        counters.batchInEpoch += 1
        if counters.batchInEpoch == nb {
            let (loss, accuracy) = evaluateOnAlphaSplit()
            record.validationLoss = loss
            record.validationAccuracy = accuracy
            record.genotype = currentGenotype().description
            counters.batchInEpoch = 0
            counters.epoch += 1
        }
        return record
    }

    /// First-order α step: gradient of CE on the α batch (BN in training mode), plus the
    /// regulariser, then Adam.
    func alphaStep(_ batch: Batch, record: inout StepRecord) {
        model.alphasNormal.zeroGrad()
        model.alphasReduce.zeroGrad()
        let tape = Tape()
        let logits = model.forward(tape, input: batch.images, mode: .alphaStep)
        let loss = tape.crossEntropy(logits, labels: batch.labels)
        let ce = Double(tape.value(loss).scalar)
        record.alphaAccuracy = accuracy(tape.value(logits), batch.labels)
        tape.backward(loss)
        finishAlphaStep(crossEntropy: ce, record: &record)
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
        // Regulariser: value added to the loss, gradient added to α's.
        let reg = regularizer.evaluate(alphas: [model.alphasNormal.value, model.alphasReduce.value],
                                       activation: method.activation, space: model.configuration.space,
                                       clockOverEpochs: counters.clock / Double(configuration.epochs))
        add(reg.gradients[0], into: model.alphasNormal)
        add(reg.gradients[1], into: model.alphasReduce)
        record.regularizer = reg.value
        record.alphaLoss = ce + reg.value
        // CRB: pruned entries stay exactly zero (Adam's moments must not move them).
        let frozen = method.activation == .crb
            ? [model.alphasNormal.name: pruningNormal.pruned, model.alphasReduce.name: pruningReduce.pruned] : nil
        adam.step([model.alphasNormal, model.alphasReduce], frozen: frozen)
    }

    func weightStep(_ batch: Batch, record: inout StepRecord) {
        for p in model.weights { p.zeroGrad() }
        let tape = Tape()
        let logits = model.forward(tape, input: batch.images, mode: .weightStep)
        let loss = tape.crossEntropy(logits, labels: batch.labels)
        record.trainLoss = Double(tape.value(loss).scalar)
        record.trainAccuracy = accuracy(tape.value(logits), batch.labels)
        tape.backward(loss)
        // FIMT: Σ over weights of squared gradients, before clipping and weight decay.
        var fimt = 0.0
        for p in model.weights {
            p.grad.withUnsafeBufferPointer { g in for v in g { fimt += Double(v) * Double(v) } }
        }
        record.fimt = fimt
        let traces = model.edgeTraces()
        record.edgeTraceNormal = traces.normal
        record.edgeTraceReduce = traces.reduce
        schedule.recordFIMT(fimt)
        record.gradientNorm = Double(clipGradientNorm(model.weights, maxNorm: Float(configuration.gradientClip)))
        sgd.step(model.weights)
    }

    /// Sets every α ≤ 0 to zero and marks it pruned for the rest of the search.
    func pruneNonPositiveAlphas() {
        pruningNormal.prune(&model.alphasNormal.value)
        pruningReduce.prune(&model.alphasReduce.value)
        regularizer.updateMasks([pruningNormal.activeMask, pruningReduce.activeMask])
    }

    private func add(_ gradient: Tensor, into p: Parameter) {
        precondition(gradient.shape == p.grad.shape, "regulariser gradient has shape \(gradient.shape), α \(p.grad.shape)")
        gradient.withUnsafeBufferPointer { d in
            p.grad.withUnsafeMutableBufferPointer { g in
                for i in g.indices { g[i] += d[i] }
            }
        }
    }

    // MARK: - Evaluation and genotype

    /// Evaluation-mode loss and accuracy of the supernet on the whole α split.
    public func evaluateOnAlphaSplit() -> (loss: Double, accuracy: Double) {
        var lossSum = 0.0, correct = 0.0, seen = 0
        for batch in batches(of: dataset, indices: alphaIndices, batchSize: configuration.evaluationBatchSize) {
            let tape = Tape()
            let logits = model.forward(tape, input: batch.images, mode: .evaluation)
            let loss = tape.crossEntropy(logits, labels: batch.labels)
            let n = batch.labels.count
            lossSum += Double(tape.value(loss).scalar) * Double(n)
            correct += accuracy(tape.value(logits), batch.labels) * Double(n)
            seen += n
        }
        return seen == 0 ? (.nan, .nan) : (lossSum / Double(seen), correct / Double(seen))
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
}

/// Fraction of rows of `logits` (N × K) whose arg-max is the label.
func accuracy(_ logits: Tensor, _ labels: [Int]) -> Double {
    let k = logits.shape[1]
    var correct = 0
    logits.withUnsafeBufferPointer { l in
        for (i, y) in labels.enumerated() {
            var best = 0
            for j in 1..<k where l[i * k + j] > l[i * k + best] { best = j }
            if best == y { correct += 1 }
        }
    }
    return labels.isEmpty ? .nan : Double(correct) / Double(labels.count)
}
