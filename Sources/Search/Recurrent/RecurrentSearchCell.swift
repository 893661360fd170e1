// The DARTS recurrent search cell (SPEC §7) unrolled over a sequence: W0 gates the previous
// hidden state into s0, eight nodes mix gated updates of every earlier state weighted by act(α),
// one shared batch norm follows s0 and every node, and the output is the mean of the nodes.

import DartsCore
import DartsNN
import Architecture

struct RecurrentSearchCell {
    /// α's column space (the recurrent space, without `none` under CRB).
    let space: SearchSpace
    let inputSize: Int
    let hiddenSize: Int
    /// `rnns.0._W0`, (inputSize + hiddenSize) × 2·hiddenSize: [c0, h0] = [x, h_prev]·W0.
    let w0: Parameter
    /// `rnns.0._Ws.i`, hiddenSize × 2·hiddenSize: node i's [c, h] = s_j·W_i.
    let ws: [Parameter]
    /// `rnns.0.bn`: the one batch norm (affine=false) of s0 and every node at every time step.
    let norm: BatchNorm
    /// α columns that contribute (all but `none`) and their activation f.
    let columns: [(column: Int, activation: GateActivation)]

    init(inputSize: Int, hiddenSize: Int, space: SearchSpace, range: Float,
         registry: ParameterRegistry, rng: inout PhiloxRandom) {
        self.space = space
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let prefix = "rnns.0"
        w0 = registry.weight(prefix + "._W0",
                             Initializer.uniform(shape: [inputSize + hiddenSize, 2 * hiddenSize], range: range, rng: &rng))
        ws = (0..<space.nodes).map {
            registry.weight("\(prefix)._Ws.\($0)", Initializer.uniform(shape: [hiddenSize, 2 * hiddenSize], range: range, rng: &rng))
        }
        norm = BatchNorm(prefix + ".bn", channels: hiddenSize, affine: false, registry: registry)
        columns = space.ops.enumerated().compactMap { k, name in
            RecurrentOperation(rawValue: name)?.gateActivation.map { (column: k, activation: $0) }
        }
    }

    /// The cell outputs of every time step, each (B, H), of `input` ((T·B, inputSize) rows,
    /// time-major, already through the embedding's locked dropout) from `hidden` (B, H).
    /// `activated` is act(α) on the tape (edges × ops) and `activatedValues` its numbers.
    func callAsFunction(_ input: Var, hidden: Var, steps: Int, batchSize b: Int, masks: RecurrentMasks,
                        activated: Var, skipNonPositive: Bool, _ tape: Tape, _ mode: ForwardMode) -> [Var] {
        let d = inputSize, h = hiddenSize
        let w0 = tape.parameter(self.w0, requiresGrad: mode.weightsRequireGrad)
        let ws = self.ws.map { tape.parameter($0, requiresGrad: mode.weightsRequireGrad) }
        // x does not depend on the recurrence: its part of [x, h]·W0 is one GEMM for all steps.
        let xGates = tape.matmul(tape.lockedDropout(input, mask: masks.x), tape.sliceRows(w0, 0..<d))
        let w0h = tape.sliceRows(w0, d..<(d + h))
        let one = tape.constant(Tensor(shape: [1, 1], repeating: 1))  // s0: one highway with tanh
        var previous = hidden
        var outputs: [Var] = []
        for t in 0..<steps {
            let gates = tape.add(tape.sliceRows(xGates, (t * b)..<((t + 1) * b)),
                                 tape.matmul(tape.dropout(previous, mask: masks.h), w0h))
            let s0 = norm(tape.gatedMixture(states: [previous], gates: gates, weights: one, firstRow: 0,
                                            columns: [(0, .tanh)]), tape, mode)
            var states = [s0]
            var masked = [tape.dropout(s0, mask: masks.h)]
            for node in 0..<space.nodes {
                // Every earlier state through W_i in one GEMM: (node+1)·B rows, never copied into one.
                let mixed = tape.gatedMixture(states: states, gates: tape.matmulStacked(masked, ws[node]), weights: activated,
                                              firstRow: space.firstEdge(node: node), columns: columns,
                                              skipNonPositive: skipNonPositive)
                let s = norm(mixed, tape, mode)
                states.append(s)
                if node + 1 < space.nodes { masked.append(tape.dropout(s, mask: masks.h)) }
            }
            previous = tape.scale(tape.addN(Array(states.dropFirst())), by: 1 / Float(space.nodes))
            outputs.append(previous)
            // Memory only: the step's values no backward closure holds (sums, slices) are dead now.
            tape.releaseForwardOnlyValues(keeping: [xGates, w0h, activated] + outputs)
        }
        return outputs
    }
}

extension RecurrentOperation {
    /// f of the op's gated update; nil for `none`, which contributes nothing.
    var gateActivation: GateActivation? {
        switch self {
        case .none: return nil
        case .tanh: return .tanh
        case .relu: return .relu
        case .sigmoid: return .sigmoid
        case .identity: return .identity
        }
    }
}
