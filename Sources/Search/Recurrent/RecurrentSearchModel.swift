// The DARTS recurrent search model (SPEC §7): embedding, locked dropout, the search cell over
// α (36 × 5), locked dropout on the outputs, decoder tied to the embedding, log-softmax.
// Parameter names are the PyTorch reference's (shared/ref/torch_rnn.py) `state_dict` keys.

import DartsCore
import DartsNN
import Architecture

/// Sizes of a recurrent search model.
public struct RecurrentSearchConfiguration: Codable, Sendable, Equatable {
    /// Tokens in the dictionary (ntoken).
    public var vocabulary: Int
    /// Embedding size (ninp); equal to `hiddenSize`, as the tied decoder needs.
    public var inputSize: Int
    /// Cell state size (nhid).
    public var hiddenSize: Int
    public var activation: ActivationKind
    /// U(−initRange, initRange) for the embedding and every cell matrix (DARTS: 0.04).
    public var initRange: Float

    public init(vocabulary: Int, inputSize: Int = 300, hiddenSize: Int = 300,
                activation: ActivationKind = .softmax, initRange: Float = 0.04) {
        self.vocabulary = vocabulary; self.inputSize = inputSize; self.hiddenSize = hiddenSize
        self.activation = activation; self.initRange = initRange
    }

    /// α's columns: the recurrent space of SPEC §7, without `none` under CRB.
    public var space: SearchSpace { activation.columnSpace(of: .recurrent) }
}

/// The tape nodes and values of one forward pass; of the pass's nodes only these two keep
/// readable values (the others are freed unless a backward closure holds them).
public struct RecurrentForward {
    /// Decoder logits, (T·B, vocabulary), time-major rows: the loss is their cross-entropy
    /// (`tape.logSoftmax(logits)` gives the log-probabilities).
    public let logits: Var
    /// Cell outputs before the output dropout, (T·B, hiddenSize): what TAR penalises.
    public let outputs: Var
    /// The last time step's cell output (B, hiddenSize) as a plain tensor: the next batch's
    /// hidden state, carried without gradient.
    public let hidden: Tensor
    public let steps: Int
    public let batchSize: Int
}

/// The model's parameters and forward pass.
public final class RecurrentSearchModel {
    public let configuration: RecurrentSearchConfiguration
    /// Trainable weights in PyTorch's `named_parameters` order: `encoder.weight` (also the
    /// decoder's), `rnns.0._W0`, `rnns.0._Ws.0…7`, `decoder.bias`; α excluded.
    public let weights: [Parameter]
    /// The shared batch norm's `rnns.0.bn.running_mean`, `rnns.0.bn.running_var`.
    public let buffers: [Parameter]
    /// α, (36 × 5) under softmax (36 × 4 under CRB); named `weights` as in the reference.
    public let alpha: Parameter

    let encoder: Embedding
    let cell: RecurrentSearchCell
    let decoderBias: Parameter

    /// Draws the embedding, W0, W_0…W_7 (U(−initRange, initRange)) and then α (1e−3·N(0, 1);
    /// CRB: 1/4 + 1e−4·N(0, 1) over its 4 columns) from `rng`; the decoder bias is 0.
    public init(_ config: RecurrentSearchConfiguration, rng: inout PhiloxRandom) {
        precondition(config.vocabulary >= 1 && config.hiddenSize >= 1, "the recurrent model needs a vocabulary and a hidden size")
        precondition(config.inputSize == config.hiddenSize,
                     "the tied decoder needs inputSize == hiddenSize, got \(config.inputSize) and \(config.hiddenSize)")
        configuration = config
        let registry = ParameterRegistry()
        let space = config.space
        encoder = Embedding("encoder", vocabulary: config.vocabulary, dimension: config.inputSize, range: config.initRange,
                            registry: registry, rng: &rng)
        cell = RecurrentSearchCell(inputSize: config.inputSize, hiddenSize: config.hiddenSize, space: space,
                                   range: config.initRange, registry: registry, rng: &rng)
        decoderBias = registry.weight("decoder.bias", Tensor(shape: [config.vocabulary]))
        let (edges, k) = (space.edgeCount, space.ops.count)
        alpha = Parameter(name: "weights", value: config.activation == .crb
                          ? Initializer.crbAlpha(edges: edges, ops: k, rng: &rng)
                          : Initializer.alpha(edges: edges, ops: k, rng: &rng))
        weights = registry.weights
        buffers = registry.buffers
    }

    /// Every stored tensor by name: weights, buffers, α.
    public var namedTensors: [Parameter] { weights + buffers + [alpha] }

    /// act(α) as plain numbers (edges × ops), the same bits the forward pass mixes with.
    public var activatedAlpha: Tensor { configuration.activation.apply(alpha.value) }

    /// Forward pass over `input` (T·B token ids, time-major: row t of a (T, B) batch is
    /// input[t·B..<(t+1)·B]) from `hidden` (B·hiddenSize values) with `masks` (use
    /// `RecurrentMasks.none` to run without dropout). Batch norm uses batch statistics and
    /// updates its running statistics at each of its 9·T uses when `mode.training`. The pass
    /// frees the values of `tape` that no backward closure holds: one pass per tape.
    public func forward(_ tape: Tape, input: [Int], batchSize b: Int, hidden: Tensor, masks: RecurrentMasks,
                        mode: ForwardMode) -> RecurrentForward {
        let (d, h) = (configuration.inputSize, configuration.hiddenSize)
        precondition(b >= 1 && !input.isEmpty && input.count % b == 0,
                     "recurrent forward: \(input.count) tokens do not form batches of \(b) columns")
        precondition(hidden.count == b * h, "recurrent forward: hidden state has \(hidden.count) values, not \(b)·\(h)")
        precondition(masks.fits(batchSize: b, inputSize: d, hiddenSize: h), "recurrent forward: masks do not fit batch \(b)")
        let steps = input.count / b
        let table = tape.parameter(encoder.weight, requiresGrad: mode.weightsRequireGrad)
        let embedded = tape.lockedDropout(tape.embedding(table, indices: input), mask: masks.lockIn)
        let activated = configuration.activation.activate(tape.parameter(alpha, requiresGrad: mode.alphasRequireGrad), on: tape)
        let outputs = cell(embedded, hidden: tape.constant(hidden.reshaped([b, h])), steps: steps, batchSize: b,
                           masks: masks, activated: activated, skipNonPositive: configuration.activation == .crb, tape, mode)
        let raw = tape.concatRows(outputs)
        let logits = tape.linear(tape.lockedDropout(raw, mask: masks.lockOut), weight: table,
                                 bias: tape.parameter(decoderBias, requiresGrad: mode.weightsRequireGrad))
        let last = tape.value(outputs[steps - 1])
        // Memory only: of this pass only the logits (for the loss) and `outputs` stay readable.
        tape.releaseForwardOnlyValues(keeping: [logits, raw])
        return RecurrentForward(logits: logits, outputs: raw, hidden: last, steps: steps, batchSize: b)
    }
}
