// What an evaluation stores and reads back: the network's named tensors under their
// NetworkCIFAR state_dict names plus each batch norm's `num_batches_tracked` (so
// `f["arrays/model"]` loads into torch_evalnet.NetworkCIFAR with strict=True), SGD, the
// counters, the batch stream and the drop-path generator.

import ImageData
import RunStore
import Training

extension CNNEvaluation {
    public var stateEntries: [StateEntry] {
        [
            StateEntry("model", save: { [unowned self] w in
                for p in network.namedTensors { w.tensor(p.name, p.value) }
                for prefix in network.batchNormPrefixes {
                    w.array(prefix + ".num_batches_tracked", StoredArray(shape: [], data: .int64([Int64(network.batchesTracked)])))
                }
            }, load: { [unowned self] r in
                for p in network.namedTensors { p.value = try r.tensor(p.name, shape: p.shape) }
                guard let first = network.batchNormPrefixes.first else { return }
                guard case let .int64(v) = try r.array(first + ".num_batches_tracked").data, let n = v.first else {
                    throw TrainingError.incompatibleCheckpoint("checkpoint entry model/\(first).num_batches_tracked is not an int64")
                }
                network.batchesTracked = Int(n)
            }),
            .sgd("optimizer/sgd", sgd),
            .json("counters", get: { [unowned self] in counters }, set: { [unowned self] in counters = $0 }),
            .json("data/train_stream", get: { [unowned self] in stream.state }, set: { [unowned self] in
                stream = try BatchStream(indices: trainIndices, batchSize: configuration.batchSize,
                                         augmentation: augmentation, state: $0)
            }),
            .random("rng/drop_path", get: { [unowned self] in dropPathRandom }, set: { [unowned self] in dropPathRandom = $0 }),
            .json("test", get: { [unowned self] in [lastTest.loss, lastTest.accuracy] }, set: { [unowned self] v in
                lastTest = (v.count == 2 ? v[0] : .nan, v.count == 2 ? v[1] : .nan)
            }),
        ]
    }
}
