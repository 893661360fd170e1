// The search state as a RunStore checkpoint and history row, and the way back (resume).
//
// Keys (documented in docs/FORMAT.md): `model/<state_dict name>` for weights, batch-norm
// statistics and α; `optimizer/...`; `fimt/...`; `data/...`; small Codable states as JSON in
// `strings`. Every Double is stored exactly (float64 or shortest round-trip JSON).

import Foundation
import DartsCore
import DartsNN
import ImageData
import RunStore

extension StoredArray {
    init(_ t: Tensor) { self.init(shape: t.shape, data: .float32(t.scalars)) }
    init(doubles: [Double], shape: [Int]) { self.init(shape: shape, data: .float64(doubles)) }
    init(ints: [Int]) { self.init(shape: [ints.count], data: .int64(ints.map(Int64.init))) }

    func tensor(named name: String, shape expected: [Int]) throws -> Tensor {
        guard case let .float32(values) = data else {
            throw SearchError.incompatibleCheckpoint("checkpoint tensor \(name) is not float32")
        }
        guard shape == expected else {
            throw SearchError.incompatibleCheckpoint("checkpoint tensor \(name) has shape \(shape), the model expects \(expected)")
        }
        return Tensor(shape: shape, scalars: values)
    }
}

private let encoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return e
}()
private let decoder: JSONDecoder = {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return d
}()

func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try encoder.encode(value), as: UTF8.self)
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?, key: String) throws -> T {
    guard let text else { throw SearchError.incompatibleCheckpoint("checkpoint has no \(key)") }
    do { return try decoder.decode(type, from: Data(text.utf8)) } catch {
        throw SearchError.incompatibleCheckpoint("checkpoint entry \(key) cannot be decoded: \(error)")
    }
}

extension SearchRunner {
    /// The full state after the current step.
    func checkpoint(_ record: StepRecord) throws -> Checkpoint {
        var arrays: [String: StoredArray] = [:]
        for p in model.namedTensors { arrays["model/" + p.name] = StoredArray(p.value) }
        let alphaShape = model.configuration.space.alphaShape
        let (an, ar) = activatedAlphas()
        arrays["alphas_activated/alphas_normal"] = StoredArray(an)
        arrays["alphas_activated/alphas_reduce"] = StoredArray(ar)
        for (name, buffer) in sgd.momentumBuffers { arrays["optimizer/sgd/momentum/" + name] = StoredArray(buffer) }
        for (name, m) in adam.firstMoments { arrays["optimizer/adam/exp_avg/" + name] = StoredArray(m) }
        for (name, v) in adam.secondMoments { arrays["optimizer/adam/exp_avg_sq/" + name] = StoredArray(v) }
        if !record.edgeTraceNormal.isEmpty {
            arrays["fimt/edge_trace_normal"] = StoredArray(doubles: record.edgeTraceNormal, shape: alphaShape)
            arrays["fimt/edge_trace_reduce"] = StoredArray(doubles: record.edgeTraceReduce, shape: alphaShape)
        }
        arrays["data/train_indices"] = StoredArray(ints: record.trainIndices)
        arrays["data/alpha_indices"] = StoredArray(ints: record.alphaIndices)
        arrays["crb/pruned_normal"] = StoredArray(shape: alphaShape, data: .uint8(pruningNormal.pruned.map { $0 ? 1 : 0 }))
        arrays["crb/pruned_reduce"] = StoredArray(shape: alphaShape, data: .uint8(pruningReduce.pruned.map { $0 ? 1 : 0 }))

        let scalars: [String: Double] = [
            "clock": counters.clock,
            "optimizer/sgd/lr": Double(sgd.lr),
            "optimizer/adam/lr": Double(adam.lr),
            "fimt/F": record.fimt,
            "fimt/Fbar": record.fimtAverage,
            "fimt/tau": record.threshold,
            "loss/train": record.trainLoss,
            "loss/alpha": record.alphaLoss,
            "regularizer": record.regularizer,
        ]
        let integers: [String: Int64] = [
            "step": Int64(counters.step),
            "epoch": Int64(counters.epoch),
            "batch_in_epoch": Int64(counters.batchInEpoch),
            "alpha_steps": Int64(counters.alphaSteps),
            "optimizer/adam/step": Int64(adam.stepCount),
            "fimt/alpha_step": record.alphaStep ? 1 : 0,
        ]
        let strings: [String: String] = [
            "counters": try encodeJSON(counters),
            "schedule": try encodeJSON(schedule),
            "regularizer": try encodeJSON(regularizer),
            "data/train_stream": try encodeJSON(trainStream.state),
            "data/alpha_stream": try encodeJSON(alphaStream.state),
            "method": method.name,
        ]
        return Checkpoint(step: counters.step, arrays: arrays, scalars: scalars, integers: integers, strings: strings)
    }

    /// The never-pruned history row of the current step.
    func historyRow(_ record: StepRecord) -> HistoryRow {
        let (an, ar) = activatedAlphas()
        let values: [String: Double] = [
            "epoch": Double(counters.epoch),
            "clock": counters.clock,
            "lr": record.learningRate,
            "train_loss": record.trainLoss,
            "train_acc": record.trainAccuracy,
            "alpha_loss": record.alphaLoss,
            "alpha_acc": record.alphaAccuracy,
            "valid_loss": record.validationLoss,
            "valid_acc": record.validationAccuracy,
            "F": record.fimt,
            "Fbar": record.fimtAverage,
            "tau": record.threshold,
            "alpha_step": record.alphaStep ? 1 : 0,
            "alpha_steps_total": Double(counters.alphaSteps),
            "regularizer": record.regularizer,
            "grad_norm": record.gradientNorm,
        ]
        return HistoryRow(step: counters.step, values: values,
                          arrays: ["alphas_normal": StoredArray(an), "alphas_reduce": StoredArray(ar)],
                          stateDigest: "")
    }

    func commit(_ record: StepRecord, to store: RunStore, epochEnd: Bool) throws {
        var checkpoint = try checkpoint(record)
        if let g = record.genotype { checkpoint.strings["genotype"] = g }
        try store.commit(checkpoint, history: historyRow(record), epochEnd: epochEnd)
        if let g = record.genotype {
            try store.writeArtifact(named: "genotype_epoch\(counters.epoch - 1).txt", contents: g + "\n")
        }
    }

    /// Restores every piece of state from `checkpoint` (the model must have the same shape).
    /// `skipping` leaves named pieces ("optimizer", "schedule", "regularizer", "counters",
    /// "data/train_stream", "data/alpha_stream") as they are: only the resume tests' negative
    /// controls use it.
    public func restore(from checkpoint: Checkpoint, skipping: Set<String> = []) throws {
        for p in model.namedTensors {
            guard let stored = checkpoint.arrays["model/" + p.name] else {
                throw SearchError.incompatibleCheckpoint("checkpoint of step \(checkpoint.step) has no tensor model/\(p.name)")
            }
            p.value = try stored.tensor(named: p.name, shape: p.shape)
        }
        var momentum: [String: Tensor] = [:]
        var first: [String: Tensor] = [:], second: [String: Tensor] = [:]
        for (key, stored) in checkpoint.arrays {
            if key.hasPrefix("optimizer/sgd/momentum/") {
                let name = String(key.dropFirst("optimizer/sgd/momentum/".count))
                momentum[name] = try stored.tensor(named: key, shape: stored.shape)
            } else if key.hasPrefix("optimizer/adam/exp_avg/") {
                let name = String(key.dropFirst("optimizer/adam/exp_avg/".count))
                first[name] = try stored.tensor(named: key, shape: stored.shape)
            } else if key.hasPrefix("optimizer/adam/exp_avg_sq/") {
                let name = String(key.dropFirst("optimizer/adam/exp_avg_sq/".count))
                second[name] = try stored.tensor(named: key, shape: stored.shape)
            }
        }
        if !skipping.contains("optimizer") {
            sgd.momentumBuffers = momentum
            adam.firstMoments = first
            adam.secondMoments = second
            adam.stepCount = Int(checkpoint.integers["optimizer/adam/step"] ?? 0)
        }
        if !skipping.contains("counters") {
            counters = try decodeJSON(LoopCounters.self, checkpoint.strings["counters"], key: "counters")
        }
        if !skipping.contains("schedule") {
            schedule = try decodeJSON(ArchitectureSchedule.self, checkpoint.strings["schedule"], key: "schedule")
        }
        if !skipping.contains("regularizer") {
            regularizer = try decodeJSON(RegularizerState.self, checkpoint.strings["regularizer"], key: "regularizer")
        }
        if !skipping.contains("data/train_stream") {
            let state = try decodeJSON(BatchStreamState.self, checkpoint.strings["data/train_stream"], key: "data/train_stream")
            trainStream = try BatchStream(indices: trainIndices, batchSize: configuration.batchSize,
                                          augmentation: augmentation, state: state)
        }
        if !skipping.contains("data/alpha_stream") {
            let state = try decodeJSON(BatchStreamState.self, checkpoint.strings["data/alpha_stream"], key: "data/alpha_stream")
            alphaStream = try BatchStream(indices: alphaIndices, batchSize: configuration.batchSize,
                                          augmentation: augmentation, state: state)
        }
        func mask(_ key: String) throws -> [Bool] {
            guard let a = checkpoint.arrays[key], case let .uint8(v) = a.data, v.count == model.alphasNormal.value.count else {
                throw SearchError.incompatibleCheckpoint("checkpoint of step \(checkpoint.step) has no valid \(key)")
            }
            return v.map { $0 != 0 }
        }
        pruningNormal.pruned = try mask("crb/pruned_normal")
        pruningReduce.pruned = try mask("crb/pruned_reduce")
    }
}
