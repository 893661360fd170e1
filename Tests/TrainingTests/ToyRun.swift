// A toy run kind for the trainer's tests: noisy SGD on a quadratic, with an explicit random
// generator, an optimizer and a Codable piece of state, so start/resume/fork can be checked
// bit for bit without a network or a dataset.

import Foundation
import DartsCore
import DartsNN
import RunStore
import Training

struct ToyConfiguration: Codable, Equatable {
    var seed: UInt64 = 5
    var epochs = 3
    var batches = 4
    /// Status tests: the iteration of this step throws a plain error (→ failed) …
    var failAtStep: Int? = nil
    /// … or one that ends the run as `diverged`.
    var divergeAtStep: Int? = nil
}

/// What a toy run throws when its configuration asks it to fail.
struct ToyFailure: Error, CustomStringConvertible {
    var step: Int
    var description: String { "toy failure at step \(step)" }
}

struct ToyDivergence: RunEndingError, CustomStringConvertible {
    var step: Int
    var runState: RunState { .diverged }
    var description: String { "toy loss not finite at step \(step)" }
}

final class ToyRun: RunKind {
    static let kindName = "toy"
    let configuration: ToyConfiguration
    let weight = Parameter(name: "w", value: Tensor(shape: [2], scalars: [1, -2]))
    let sgd = SGD(lr: 0.1, momentum: 0.9, weightDecay: 0)
    var noise: PhiloxRandom
    var total = 0.0
    var counters = LoopCounters()
    var batchesPerEpoch: Int { configuration.batches }
    var epochs: Int { configuration.epochs }
    var retention: RetentionPolicy { RetentionPolicy(keepLast: 1, keepEpochEnds: false, everyNth: 2) }

    init(_ c: ToyConfiguration) {
        configuration = c
        noise = PhiloxRandom(seed: c.seed, stream: 9)
    }

    convenience init(configurationJSON: String) throws {
        self.init(try StateJSON.decode(ToyConfiguration.self, configurationJSON, key: "configuration"))
    }

    func configurationJSON() throws -> String { try StateJSON.encode(configuration) }

    func iterate() throws -> StepOutput {
        if configuration.failAtStep == counters.step + 1 { throw ToyFailure(step: counters.step + 1) }
        if configuration.divergeAtStep == counters.step + 1 { throw ToyDivergence(step: counters.step + 1) }
        // Gradient of ½‖w − t‖² with a noisy target t.
        let target = noise.normal(count: 2)
        weight.zeroGrad()
        weight.addToGradient(Tensor(shape: [2], scalars: zip(weight.value.scalars, target).map { $0 - $1 }))
        sgd.step([weight])
        let loss = Double(weight.value.scalars.map { $0 * $0 }.reduce(0, +))
        total += loss
        var out = StepOutput()
        out.observations.scalar("loss", loss)
        out.history = ["loss": loss]
        out.loss = loss
        return out
    }

    func endEpoch(_ output: inout StepOutput) throws {
        output.artifacts["epoch\(counters.epoch).txt"] = "\(total)\n"
        output.epochSummary = "total \(total)"
    }

    var stateEntries: [StateEntry] {
        [
            .parameters("model") { [weight] in [weight] },
            .sgd("optimizer/sgd", sgd),
            .random("rng/noise", get: { [unowned self] in noise }, set: { [unowned self] in noise = $0 }),
            .json("total", get: { [unowned self] in total }, set: { [unowned self] in total = $0 }),
            .json("counters", get: { [unowned self] in counters }, set: { [unowned self] in counters = $0 }),
        ]
    }

    func finish() throws -> RunResult {
        RunResult(summary: "total=\(total)", status: ["total": String(total)], artifacts: ["result.txt": "\(total)\n"])
    }
}

func scratchDirectory(_ tag: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("training-\(tag)-\(UUID().uuidString)")
}

func digests(_ dir: URL) throws -> [String] { try RunStore.open(at: dir, readOnly: true).history().map(\.stateDigest) }
