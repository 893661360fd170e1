// The fixed recurrent cell of a genotype (SPEC §7, "Evaluation of a recurrent genotype"; DARTS's
// rnn `model.py` DARTSCell): s0 from the input and the previous hidden state, then each node
// i = 1…8 reads its one chosen predecessor s_j through W_i and its chosen activation f,
// s_i = s_j + σ(c)⊙(f(h) − s_j), with no batch norm; the output is the mean of the concat nodes.

import DartsCore
import DartsNN
import Architecture
import Training

/// A node's activation, as the genotype names it (`none` cannot be chosen).
enum NodeActivation: String, CaseIterable {
    case tanh, relu, sigmoid, identity

    func apply(_ x: Var, _ tape: Tape) -> Var {
        switch self {
        case .tanh: return tape.tanh(x)
        case .relu: return tape.relu(x)
        case .sigmoid: return tape.sigmoid(x)
        case .identity: return x
        }
    }
}

/// The x and h masks of one forward pass (already scaled by 1/keep), (B, D) and (B, H).
public struct CellMasks {
    public var x: Tensor
    public var h: Tensor
    public init(x: Tensor, h: Tensor) { self.x = x; self.h = h }
}

public struct RecurrentEvaluationCell {
    public let inputSize: Int
    public let hiddenSize: Int
    /// `rnns.0._W0` (D + H, 2H) and `rnns.0._Ws.i` (H, 2H), DARTS's names.
    public let w0: Parameter
    public let ws: [Parameter]
    let nodes: [(activation: NodeActivation, predecessor: Int)]
    /// States averaged into the output (1…8 for DARTS's genotypes).
    let concat: [Int]

    /// Draws W0 then W_1…W_8 from `rng`, U(−range, range) (DARTS's INITRANGE 0.04). Throws when the
    /// genotype is not a recurrent cell of this space (an activation it cannot use, a
    /// predecessor after the node, a concat outside the states).
    public init(genotype: Genotype, inputSize: Int, hiddenSize: Int, range: Float, registry: ParameterRegistry,
                rng: inout PhiloxRandom) throws {
        let edges = genotype.recurrent
        var nodes: [(activation: NodeActivation, predecessor: Int)] = []
        for (i, e) in edges.enumerated() {
            guard let f = NodeActivation(rawValue: e.op) else {
                throw TrainingError.invalidConfiguration(
                    "--genotype: node \(i + 1) uses '\(e.op)'; a recurrent node uses one of \(NodeActivation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard e.input >= 0 && e.input <= i else {
                throw TrainingError.invalidConfiguration("--genotype: node \(i + 1) reads state \(e.input); it can read states 0…\(i)")
            }
            nodes.append((activation: f, predecessor: e.input))
        }
        guard !genotype.concat.isEmpty, genotype.concat.allSatisfy({ $0 >= 0 && $0 <= edges.count }) else {
            throw TrainingError.invalidConfiguration("--genotype: concat \(genotype.concat) must name states 0…\(edges.count)")
        }
        self.inputSize = inputSize; self.hiddenSize = hiddenSize
        self.nodes = nodes; self.concat = genotype.concat
        func draw(_ rows: Int) -> Tensor {
            Tensor(shape: [rows, 2 * hiddenSize], scalars: rng.uniform(count: rows * 2 * hiddenSize, low: -range, high: range))
        }
        w0 = registry.weight("rnns.0._W0", draw(inputSize + hiddenSize))
        ws = nodes.indices.map { registry.weight("rnns.0._Ws.\($0)", draw(hiddenSize)) }
    }

    /// The cell's matrices on `tape` (once per forward pass, shared by its time steps).
    public struct Bound {
        let w0: Var
        let ws: [Var]
    }

    public func bind(_ tape: Tape, _ mode: ForwardMode) -> Bound {
        Bound(w0: tape.parameter(w0, requiresGrad: mode.weightsRequireGrad),
              ws: ws.map { tape.parameter($0, requiresGrad: mode.weightsRequireGrad) })
    }

    /// s_prev + σ(c)⊙(f(h) − s_prev) with [c, h] = the 2H columns of `ch`.
    func highway(_ sPrev: Var, _ ch: Var, _ f: NodeActivation, _ tape: Tape) -> Var {
        let c = tape.sigmoid(tape.sliceChannels(ch, 0..<hiddenSize))
        let h = f.apply(tape.sliceChannels(ch, hiddenSize..<(2 * hiddenSize)), tape)
        return tape.add(sPrev, tape.mul(c, tape.sub(h, sPrev)))
    }

    /// One time step: x (B, D) and h_prev (B, H) → the output (B, H). `masks` nil: evaluation
    /// (DARTS multiplies by no mask then).
    public func step(_ x: Var, _ hPrev: Var, masks: CellMasks?, _ bound: Bound, _ tape: Tape) -> Var {
        func masked(_ v: Var, _ m: Tensor?) -> Var { m.map { tape.dropout(v, mask: $0) } ?? v }
        let xh = tape.concatChannels([masked(x, masks?.x), masked(hPrev, masks?.h)])
        var states = [highway(hPrev, tape.matmul(xh, bound.w0), .tanh, tape)]
        for (i, node) in nodes.enumerated() {
            let sPrev = states[node.predecessor]
            states.append(highway(sPrev, tape.matmul(masked(sPrev, masks?.h), bound.ws[i]), node.activation, tape))
        }
        return tape.scale(tape.addN(concat.map { states[$0] }), by: 1 / Float(concat.count))
    }
}
