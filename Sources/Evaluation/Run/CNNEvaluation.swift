// The evaluation of a discovered cell (SPEC §6) as a run kind of the shared trainer: train the
// genotype's network from scratch on the whole training set (crop, flip, cutout; drop path
// ramping 0.2·epoch/E; auxiliary head; cosine learning rate to 0; clipping), and measure test
// error on the test split at every epoch end. The trainer commits every step.

import Foundation
import DartsCore
import DartsNN
import ImageData
import Architecture
import RunStore
import Training

public final class CNNEvaluation: ConfiguredRunKind {
    public static let kindName = "cnn-evaluation"

    public let configuration: EvaluationRunConfiguration
    public let genotype: Genotype
    public let network: EvaluationNetwork
    let train: ImageDataset
    let test: ImageDataset
    let sgd: SGD
    var stream: BatchStream
    let trainIndices: [Int]
    let augmentation: AugmentationConfig
    /// Drop-path masks (SPEC §6), an explicit generator stored with the state.
    var dropPathRandom: PhiloxRandom
    public var counters = LoopCounters()
    /// Test split loss and accuracy at the newest epoch end.
    public internal(set) var lastTest: (loss: Double, accuracy: Double) = (.nan, .nan)

    public var batchesPerEpoch: Int { stream.batchesPerPass }
    public var epochs: Int { configuration.epochs }

    /// A fresh evaluation at step 0 on `train` and `test` (each input checked first).
    public init(configuration c: EvaluationRunConfiguration, train: ImageDataset, test: ImageDataset) throws {
        try c.validate()
        try c.validateFitsMemory()
        let genotype: Genotype
        do { genotype = try Genotype(parsing: c.genotype, space: .cnn) } catch {
            throw TrainingError.invalidConfiguration("--genotype: \(error)")
        }
        let shape = EvaluationConfiguration(genotype: genotype, channels: c.initChannels, layers: c.layers,
                                            classes: train.kind.classes, inputChannels: train.channels,
                                            auxiliary: c.auxiliary)
        if let problem = shape.problem { throw TrainingError.invalidConfiguration(problem) }
        guard test.kind == train.kind, test.channels == train.channels else {
            throw TrainingError.invalidConfiguration("the test split is \(test.kind.rawValue), the training split \(train.kind.rawValue)")
        }
        configuration = c
        self.genotype = genotype
        self.train = train
        self.test = test
        var rng = PhiloxRandom(seed: c.seed, stream: 0)
        network = EvaluationNetwork(shape, rng: &rng)
        sgd = SGD(lr: Float(c.learningRate), momentum: Float(c.momentum), weightDecay: Float(c.weightDecay))
        trainIndices = Array(0..<train.count)
        augmentation = c.augment ? AugmentationConfig(cutout: c.cutout) : AugmentationConfig(randomCrop: false, padding: 0,
                                                                                               horizontalFlip: false, cutout: c.cutout)
        stream = BatchStream(indices: trainIndices, batchSize: c.batchSize, seed: c.seed, stream: 1, augmentation: augmentation)
        dropPathRandom = PhiloxRandom(seed: c.seed, stream: 6)
    }

    /// A fresh evaluation loading both splits its configuration names.
    public convenience init(configuration c: EvaluationRunConfiguration) throws {
        try c.validate()
        try c.validateFitsMemory()  // before the data is loaded
        let (train, test) = try Self.loadData(c)
        try self.init(configuration: c, train: train, test: test)
    }

    /// The training and test files in the configuration's folder (none when they are not on
    /// disk: data given in memory).
    public var dataSource: DataSource? {
        let c = configuration
        let dir = URL(fileURLWithPath: c.dataDirectory ?? c.dataset.defaultDirectory)
        let files = [DataSplit.train, .test].flatMap { ImageDataset.files(c.dataset, directory: dir, split: $0) }
        return files.isEmpty ? nil : DataSource(dataset: c.dataset.rawValue, directory: dir, files: files.map(\.lastPathComponent))
    }

    /// The training split (first `subset` images) and the test split (first `testSubset`).
    public static func loadData(_ c: EvaluationRunConfiguration) throws -> (train: ImageDataset, test: ImageDataset) {
        let dir = URL(fileURLWithPath: c.dataDirectory ?? c.dataset.defaultDirectory)
        if c.dataDirectory == nil && !FileManager.default.fileExists(atPath: dir.path) {
            throw TrainingError.invalidConfiguration(
                "no \(c.dataset.rawValue) data at the default folder \(dir.path); pass --data PATH (the folder with \((c.dataset.fileNames(.train) + c.dataset.fileNames(.test)).joined(separator: ", ")))")
        }
        let train = try ImageDataset.load(c.dataset, directory: dir, split: .train, subset: c.subset)
        let all = try ImageDataset.load(c.dataset, directory: dir, split: .test, subset: nil)
        guard let n = c.testSubset, n < all.count else { return (train, all) }
        guard n >= 1 else { throw TrainingError.invalidConfiguration("--test-subset must be at least 1, got \(n)") }
        // The first n test images (the subset the profile or --test-subset asks for).
        let test = ImageDataset(kind: all.kind, pixels: Array(all.pixels.prefix(n * all.imageBytes)),
                                labels: Array(all.labels.prefix(n)))
        return (train, test)
    }

    // MARK: - One iteration

    /// Drop-path probability of the current epoch: 0.2·epoch/E (DARTS's train.py).
    var dropPathProbability: Double { configuration.dropPath * Double(counters.epoch) / Double(configuration.epochs) }

    public func iterate() throws -> StepOutput {
        if counters.batchInEpoch == 0 { stream.restart() }
        let lr = cosineLearningRate(epoch: counters.epoch, epochs: configuration.epochs,
                                    base: configuration.learningRate, minimum: configuration.learningRateMin)
        sgd.lr = Float(lr)
        let p = dropPathProbability
        let batch = stream.next(from: train)
        let r = network.backpropagate(images: batch.images, labels: batch.labels, dropPath: p, rng: &dropPathRandom,
                                      auxiliaryWeight: Float(configuration.auxiliaryWeight))
        let gradNorm = Double(clipGradientNorm(network.weights, maxNorm: Float(configuration.gradientClip)))
        sgd.step(network.weights)

        var out = StepOutput()
        out.observations.array("data/train_indices", StoredArray(ints: batch.indices))
        out.observations.scalar("loss/train", r.loss)
        out.observations.scalar("drop_path", p)
        out.history = ["lr": lr, "train_loss": r.loss, "train_acc": r.accuracy, "grad_norm": gradNorm,
                       "drop_path": p, "test_loss": .nan, "test_acc": .nan]
        out.loss = r.loss
        out.accuracy = r.accuracy
        out.progressExtras = [("lr", String(format: "%.5f", lr))]
        out.mustBeFinite = [("training loss", r.loss), ("weight gradient norm", gradNorm)]
        return out
    }

    /// Step 0: no iteration yet; its history row has the steps' columns, all NaN.
    public func initialOutput() -> StepOutput {
        var out = StepOutput()
        out.history = ["lr": .nan, "train_loss": .nan, "train_acc": .nan, "grad_norm": .nan,
                       "drop_path": dropPathProbability, "test_loss": .nan, "test_acc": .nan]
        return out
    }

    public func endEpoch(_ output: inout StepOutput) throws {
        lastTest = evaluateOnTestSplit()
        output.history["test_loss"] = lastTest.loss
        output.mustBeFinite.append(("test loss", lastTest.loss))
        output.history["test_acc"] = lastTest.accuracy
        output.observations.scalar("test/loss", lastTest.loss)
        output.observations.scalar("test/accuracy", lastTest.accuracy)
        output.epochSummary = String(format: "test loss %.4f acc %.4f (error %.2f %%)", lastTest.loss, lastTest.accuracy,
                                     100 * (1 - lastTest.accuracy))
    }

    /// Evaluation-mode loss and accuracy on the whole test split.
    public func evaluateOnTestSplit() -> (loss: Double, accuracy: Double) {
        meanLossAndAccuracy(of: test, indices: Array(0..<test.count), batchSize: configuration.evaluationBatchSize) {
            network.evaluate(images: $0.images, labels: $0.labels)
        }
    }

    /// Parameters in millions without the auxiliary head (SPEC §6 reports these).
    public var parameterMillions: Double { Double(network.parameterCount(includingAuxiliary: false)) / 1e6 }

    public func finish() throws -> RunResult { try finish(wallSeconds: nil) }
    public func finish(wallSeconds: Double) throws -> RunResult { try finish(wallSeconds: Optional(wallSeconds)) }

    /// The result; evaluation.json keeps `wall_seconds` when the trainer gives it.
    private func finish(wallSeconds: Double?) throws -> RunResult {
        if !lastTest.accuracy.isFinite { lastTest = evaluateOnTestSplit() }
        let error = 100 * (1 - lastTest.accuracy)
        let summary = String(format: "test_error=%.2f%% test_accuracy=%.4f params_m=%.6f", error, lastTest.accuracy,
                             parameterMillions)
        let result = EvaluationResult(testError: error, testAccuracy: lastTest.accuracy, testLoss: lastTest.loss,
                                      parametersMillions: parameterMillions,
                                      parameters: network.parameterCount(includingAuxiliary: false),
                                      parametersWithAuxiliary: network.parameterCount(includingAuxiliary: true),
                                      genotype: genotype.description, source: configuration.source, steps: counters.step,
                                      testImages: test.count, wallSeconds: wallSeconds)
        return RunResult(summary: summary, status: ["test_error": String(format: "%.4f", error)],
                         artifacts: ["evaluation.json": try result.json()])
    }
}

/// What `evaluation.json` keeps of a finished evaluation.
public struct EvaluationResult: Codable, Equatable, Sendable {
    public var testError: Double
    public var testAccuracy: Double
    public var testLoss: Double
    public var parametersMillions: Double
    public var parameters: Int
    public var parametersWithAuxiliary: Int
    public var genotype: String
    public var source: EvaluationSource
    public var steps: Int
    public var testImages: Int
    /// Wall seconds over all the evaluation's sessions (resumes included); nil in results
    /// recomputed for an already finished run.
    public var wallSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case testError = "test_error_percent", testAccuracy = "test_accuracy", testLoss = "test_loss"
        case parametersMillions = "parameters_millions", parameters, parametersWithAuxiliary = "parameters_with_auxiliary"
        case genotype, source, steps, testImages = "test_images", wallSeconds = "wall_seconds"
    }

    func json() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(self), as: UTF8.self) + "\n"
    }
}

extension EvaluationRunConfiguration: StoredRunConfiguration {}
