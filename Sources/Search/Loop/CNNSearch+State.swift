// What a CNN search stores: its state entries (each under one key, read back on resume) and
// each step's observations (checkpoint entries and history values that are never read back).
// Every key is listed in docs/SEARCH_STATE.md.

import DartsCore
import ImageData
import RunStore
import Training

extension CNNSearch: ArchitectureSearchState {
    var modelTensors: [Parameter] { model.namedTensors }

    public var stateEntries: [StateEntry] {
        commonSearchEntries + [
            .json("data/train_stream", get: { [unowned self] in trainStream.state }, set: { [unowned self] in
                trainStream = try BatchStream(indices: trainIndices, batchSize: configuration.batchSize,
                                              augmentation: augmentation, state: $0)
            }),
            .json("data/alpha_stream", get: { [unowned self] in alphaStream.state }, set: { [unowned self] in
                alphaStream = try BatchStream(indices: alphaIndices, batchSize: configuration.batchSize,
                                              augmentation: augmentation, state: $0)
            }),
            StateEntry("crb", save: { [unowned self] w in
                let shape = model.alphasNormal.shape
                w.array("pruned_normal", StoredArray(flags: pruningNormal.pruned, shape: shape))
                w.array("pruned_reduce", StoredArray(flags: pruningReduce.pruned, shape: model.alphasReduce.shape))
            }, load: { [unowned self] r in
                pruningNormal.pruned = try Self.mask(r, "pruned_normal", count: model.alphasNormal.value.count)
                pruningReduce.pruned = try Self.mask(r, "pruned_reduce", count: model.alphasReduce.value.count)
            }),
        ]
    }

    private static func mask(_ r: StateReader, _ key: String, count: Int) throws -> [Bool] {
        guard case let .uint8(v) = try r.array(key).data, v.count == count else {
            throw TrainingError.incompatibleCheckpoint(
                "checkpoint of step \(r.checkpoint.step) has no valid crb/\(key) (\(count) flags expected)")
        }
        return v.map { $0 != 0 }
    }

    /// The step's observations: checkpoint entries, history row and progress.
    func output(_ record: StepRecord) -> StepOutput {
        var out = StepOutput()
        let (an, ar) = activatedAlphas()
        let k = model.alphasNormal.shape[1]
        var w = out.observations
        w.tensor("alphas_activated/alphas_normal", an)
        w.tensor("alphas_activated/alphas_reduce", ar)
        if !record.edgeTraceNormal.isEmpty {
            let edges = model.alphasNormal.shape[0]
            w.array("fimt/edge_trace_normal", StoredArray(doubles: record.edgeTraceNormal, shape: [edges, k]))
            w.array("fimt/edge_trace_reduce", StoredArray(doubles: record.edgeTraceReduce, shape: [edges, k]))
        }
        w.array("data/train_indices", StoredArray(ints: record.trainIndices))
        w.array("data/alpha_indices", StoredArray(ints: record.alphaIndices))
        record.writeScalars(&w, method: method)
        out.observations = w
        out.history = record.historyValues
        out.historyArrays = ["alphas_normal": StoredArray(an), "alphas_reduce": StoredArray(ar)]
        out.loss = record.trainLoss
        out.accuracy = record.trainAccuracy
        out.progressExtras = [("α-steps", String(record.alphaStepsTotal))]
        out.mustBeFinite = record.mustBeFinite(activated: [an, ar])
        return out
    }

    /// Epoch end: the supernet's evaluation on the α split and the genotype, recorded in the
    /// history, the checkpoint and `genotype_epoch<E>.txt`.
    func addEpochEnd(validationLoss: Double, validationAccuracy: Double, genotype: String, to out: inout StepOutput) {
        out.history["valid_loss"] = validationLoss
        out.mustBeFinite.append(("validation loss", validationLoss))
        out.history["valid_acc"] = validationAccuracy
        out.observations.string("genotype", genotype)
        out.artifacts["genotype_epoch\(counters.epoch).txt"] = genotype + "\n"
        out.epochSummary = String(format: "valid loss %.4f acc %.3f", validationLoss, validationAccuracy)
        out.epochNote = "genotype: \(genotype)"
    }
}
