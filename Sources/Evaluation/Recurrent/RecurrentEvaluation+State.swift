// What a recurrent evaluation stores and reads back: the weights under DARTS's state_dict names,
// SGD, the averaged weights and the switch (history, flag, epoch), the counters, the training
// stream, the carried hidden state, the mask generator and the newest losses.

import DartsCore
import RunStore
import TextData
import Training

extension RecurrentEvaluation {
    public var stateEntries: [StateEntry] {
        [
            .parameters("model", { [unowned self] in model.weights }),
            .sgd("optimizer/sgd", sgd),
            StateEntry("optimizer/asgd", save: { [unowned self] w in
                try w.json("switch", asgd)
                w.integer("averaged_steps", average.count)
                for (name, ax) in average.averages.sorted(by: { $0.key < $1.key }) { w.tensor("ax/" + name, ax) }
            }, load: { [unowned self] r in
                asgd = try r.json(AveragedSGDSwitch.self, "switch")
                average.count = try r.integer("averaged_steps")
                average.averages = try r.tensors(under: "ax")
                let names = Set(model.weights.map(\.name))
                guard average.count == 0 || Set(average.averages.keys) == names else {
                    throw TrainingError.incompatibleCheckpoint("checkpoint entry optimizer/asgd/ax does not hold one mean per weight")
                }
            }),
            .json("counters", get: { [unowned self] in counters }, set: { [unowned self] in counters = $0 }),
            .json("data/train_stream", get: { [unowned self] in stream.state }, set: { [unowned self] in
                do { stream = try TruncatedBPTTStream(data: trainMatrix, bptt: configuration.bptt, state: $0) } catch {
                    throw TrainingError.incompatibleCheckpoint("checkpoint entry data/train_stream: \(error)")
                }
            }),
            StateEntry("hidden", save: { [unowned self] w in w.tensor("", hidden) },
                       load: { [unowned self] r in hidden = try r.tensor("", shape: hidden.shape) }),
            .random("rng/masks", get: { [unowned self] in maskRandom }, set: { [unowned self] in maskRandom = $0 }),
            .json("losses", get: { [unowned self] in [lastValidLoss, testLoss] }, set: { [unowned self] v in
                lastValidLoss = v.count == 2 ? v[0] : .nan
                testLoss = v.count == 2 ? v[1] : .nan
            }),
        ]
    }
}
