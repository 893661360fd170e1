// The state entries every search (CNN and text) stores first, from one definition: the model's
// tensors, both optimisers, the counters, the FIMT schedule and the regulariser.

import DartsCore
import DartsNN
import Training

/// The search counters as stored under `counters`: the trainer's plus the α steps.
struct SearchCounters: Codable {
    var step: Int, epoch: Int, batchInEpoch: Int, clock: Double
    var alphaSteps: Int
}

/// What a search holds that its common state entries save and restore.
protocol ArchitectureSearchState: AnyObject {
    /// Weights, buffers and α, in checkpoint order.
    var modelTensors: [Parameter] { get }
    var sgd: SGD { get }
    var adam: Adam { get }
    var counters: LoopCounters { get set }
    var alphaSteps: Int { get set }
    var schedule: ArchitectureSchedule { get set }
    var regularizer: RegularizerState { get set }
}

extension ArchitectureSearchState {
    /// `model`, `optimizer/sgd`, `optimizer/adam`, `counters`, `schedule`, `regularizer`, in this
    /// order (the state digest reads entries in order); each search appends its own.
    var commonSearchEntries: [StateEntry] {
        [
            .parameters("model") { [unowned self] in modelTensors },
            .sgd("optimizer/sgd", sgd),
            .adam("optimizer/adam", adam),
            .json("counters", get: { [unowned self] in
                SearchCounters(step: counters.step, epoch: counters.epoch, batchInEpoch: counters.batchInEpoch,
                               clock: counters.clock, alphaSteps: alphaSteps)
            }, set: { [unowned self] c in
                counters.step = c.step; counters.epoch = c.epoch; counters.batchInEpoch = c.batchInEpoch
                counters.clock = c.clock; alphaSteps = c.alphaSteps
            }),
            .json("schedule", get: { [unowned self] in schedule }, set: { [unowned self] in schedule = $0 }),
            .json("regularizer", get: { [unowned self] in regularizer }, set: { [unowned self] in regularizer = $0 }),
        ]
    }
}
