// The recurrent evaluation network (DARTS's rnn `model.py` RNNModel with the genotype's cell):
// embedding with embedding dropout, locked dropout on its output, the fixed cell over the time
// steps, locked dropout on the cell outputs, a decoder tied to the embedding, log-softmax, NLL,
// plus DARTS's train.py regularisers (TAR on the cell outputs, AR on the dropped outputs).

import DartsCore
import DartsNN
import Architecture
import TextData

/// DARTS's rnn train.py dropout probabilities (drop, not keep), SPEC §7's evaluation values.
public struct RecurrentDropouts: Codable, Sendable, Equatable {
    /// Locked dropout on the cell outputs (`--dropout`).
    public var output: Double = 0.75
    /// The h mask on every state fed to a matrix (`--dropouth`: keep 0.75).
    public var hidden: Double = 0.25
    /// The x mask on the cell input (`--dropoutx`: keep 0.25).
    public var input: Double = 0.75
    /// Locked dropout on the embedding (`--dropouti`).
    public var embedding: Double = 0.2
    /// Whole words dropped from the table (`--dropoute`).
    public var words: Double = 0.1
    public init() {}
}

/// Every mask of one training forward pass.
public struct RecurrentEvaluationMasks {
    /// One factor per word of the vocabulary (embedding dropout).
    public var words: [Float]
    /// (B, D) on the embedding, shared over time.
    public var lockIn: Tensor
    public var cell: CellMasks
    /// (B, H) on the cell outputs, shared over time.
    public var lockOut: Tensor
}

/// What a training forward pass leaves for the loss and the next batch.
public struct RecurrentEvaluationForward {
    /// Decoder logits (T·B, V), time-major: the NLL is their cross-entropy.
    public let logits: Var
    /// Cell outputs before and after the output dropout, (1, T·B·H) time-major.
    public let outputs: Var
    public let droppedOutputs: Var
    /// The last time step's output, the next batch's hidden state (carried without gradient).
    public let hidden: Tensor
    public let steps: Int
    public let batchSize: Int
}

public final class RecurrentEvaluationModel {
    public let vocabulary: Int
    public let hiddenSize: Int
    /// `encoder.weight` (also the decoder's), `rnns.0._W0`, `rnns.0._Ws.0…7`, `decoder.bias`.
    public let weights: [Parameter]
    let encoder: Embedding
    public let cell: RecurrentEvaluationCell
    let decoderBias: Parameter

    /// Draws the embedding, then W0 and W_1…W_8, from `rng` (U(−range, range)); the decoder bias
    /// is 0. emsize = nhid, as the tied decoder needs.
    public init(genotype: Genotype, vocabulary: Int, hiddenSize: Int, range: Float = 0.04, rng: inout PhiloxRandom) throws {
        let registry = ParameterRegistry()
        encoder = Embedding("encoder", vocabulary: vocabulary, dimension: hiddenSize, range: range, registry: registry, rng: &rng)
        cell = try RecurrentEvaluationCell(genotype: genotype, inputSize: hiddenSize, hiddenSize: hiddenSize, range: range,
                                           registry: registry, rng: &rng)
        decoderBias = registry.weight("decoder.bias", Tensor(shape: [vocabulary]))
        self.vocabulary = vocabulary; self.hiddenSize = hiddenSize
        weights = registry.weights
    }

    public var parameterCount: Int { weights.reduce(0) { $0 + $1.value.count } }

    /// One pass's masks, drawn in DARTS's order: words, embedding lock, x, h, output lock.
    public func sampleMasks(batchSize b: Int, dropouts d: RecurrentDropouts, rng: inout PhiloxRandom) -> RecurrentEvaluationMasks {
        let words = RecurrentDropout.wordMask(vocabulary: vocabulary, drop: d.words, rng: &rng)
        let lockIn = RecurrentDropout.mask(rows: b, columns: hiddenSize, drop: d.embedding, rng: &rng)
        let x = RecurrentDropout.mask(rows: b, columns: hiddenSize, drop: d.input, rng: &rng)
        let h = RecurrentDropout.mask(rows: b, columns: hiddenSize, drop: d.hidden, rng: &rng)
        let lockOut = RecurrentDropout.mask(rows: b, columns: hiddenSize, drop: d.output, rng: &rng)
        return RecurrentEvaluationMasks(words: words, lockIn: lockIn, cell: CellMasks(x: x, h: h), lockOut: lockOut)
    }

    /// The pass over `inputs` (T·B tokens, time-major) from `hidden` (B, H). `masks` nil: evaluation.
    public func forward(inputs: [Int], steps: Int, hidden: Tensor, masks: RecurrentEvaluationMasks?,
                        _ tape: Tape, _ mode: ForwardMode) -> RecurrentEvaluationForward {
        let b = hidden.shape[0], h = hiddenSize
        precondition(inputs.count == steps * b, "forward: \(inputs.count) tokens for \(steps) steps of \(b)")
        let table = tape.parameter(encoder.weight, requiresGrad: mode.weightsRequireGrad)
        let looked = masks.map { tape.dropout(table, mask: RecurrentDropout.tableMask(words: $0.words, dimension: h)) } ?? table
        let bound = cell.bind(tape, mode)
        var state = tape.constant(hidden)
        var outs: [Var] = []
        for t in 0..<steps {
            var x = tape.embedding(looked, indices: Array(inputs[(t * b)..<((t + 1) * b)]))
            if let m = masks { x = tape.dropout(x, mask: m.lockIn) }
            state = cell.step(x, state, masks: masks?.cell, bound, tape)
            outs.append(tape.reshape(state, [1, b * h]))
        }
        let last = tape.value(state)
        let raw = tape.concatChannels(outs)
        let dropped = masks.map { tape.dropout(raw, mask: RecurrentDropout.overTime($0.lockOut, steps: steps).reshaped([1, steps * b * h])) } ?? raw
        let logits = tape.linear(tape.reshape(dropped, [steps * b, h]), weight: table,
                                 bias: tape.parameter(decoderBias, requiresGrad: mode.weightsRequireGrad))
        return RecurrentEvaluationForward(logits: logits, outputs: raw, droppedOutputs: dropped,
                                          hidden: last, steps: steps, batchSize: b)
    }

    /// The training loss of DARTS's train.py: NLL + ar·mean(dropped²) + tar·mean((h_{t+1} − h_t)²)
    /// (TAR only when the pass has two steps; AR only when ar > 0). Returns the loss node and the NLL node.
    public func trainingLoss(_ f: RecurrentEvaluationForward, targets: [Int], ar: Double, tar: Double,
                             _ tape: Tape) -> (loss: Var, nll: Var) {
        let nll = tape.crossEntropy(f.logits, labels: targets)
        var terms = [nll]
        let n = f.steps * f.batchSize * hiddenSize
        if ar > 0 { terms.append(tape.scale(tape.sumOfSquares(f.droppedOutputs), by: Float(ar / Double(n)))) }
        if tar > 0 && f.steps >= 2 {
            let step = f.batchSize * hiddenSize
            let later = tape.sliceChannels(f.outputs, step..<n), earlier = tape.sliceChannels(f.outputs, 0..<(n - step))
            terms.append(tape.scale(tape.sumOfSquares(tape.sub(later, earlier)), by: Float(tar / Double(n - step))))
        }
        return (terms.count == 1 ? nll : tape.addN(terms), nll)
    }

    /// Mean NLL per token of `batches` in order, the hidden state carried from zeros (DARTS's
    /// `evaluate`, no dropout): perplexity is its exponential.
    public func meanNLL(_ batches: EvaluationSequences) -> Double {
        var hidden = Tensor(shape: [batches.data.columns, hiddenSize])
        return batches.meanPerToken { batch in
            let tape = Tape(recording: false)
            let f = forward(inputs: batch.inputs, steps: batch.length, hidden: hidden, masks: nil, tape, .evaluation)
            hidden = f.hidden
            return Double(tape.value(tape.crossEntropy(f.logits, labels: batch.targets)).scalar)
        }
    }
}
