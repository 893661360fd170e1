// The candidate operations of a mixed edge (SPEC §1 table) and the mixed edge itself.

import DartsCore
import DartsNN

/// Draws PyTorch-default initial weights from one explicit generator, in creation order.
final class WeightInitialiser {
    var rng: PhiloxRandom
    init(rng: PhiloxRandom) { self.rng = rng }

    /// U(−b, b) with b = 1/√fan_in (PyTorch's default for conv and linear layers).
    func uniformFanIn(shape: [Int], fanIn: Int) -> Tensor {
        Initializer.uniformFanIn(shape: shape, fanIn: fanIn, rng: &rng)
    }
}

/// One candidate operation on an edge.
enum CandidateOperation {
    /// `none`: contributes zero; never computed.
    case zero
    case maxPool(stride: Int, bn: BatchNormLayer)
    case avgPool(stride: Int, bn: BatchNormLayer)
    case identity
    case factorizedReduce(FactorizedReduce)
    case sepConv(SepConv)
    case dilConv(DilConv)

    /// Builds op `name` under `prefix` (e.g. `cells.0._ops.3._ops.4`).
    init(name: String, prefix: String, channels c: Int, stride s: Int,
         registry: ParameterRegistry, init ini: WeightInitialiser) {
        switch name {
        case "none": self = .zero
        case "max_pool_3x3":
            self = .maxPool(stride: s, bn: BatchNormLayer(prefix + ".1", channels: c, affine: false, registry: registry))
        case "avg_pool_3x3":
            self = .avgPool(stride: s, bn: BatchNormLayer(prefix + ".1", channels: c, affine: false, registry: registry))
        case "skip_connect":
            self = s == 1 ? .identity
                : .factorizedReduce(FactorizedReduce(prefix, cin: c, cout: c, affine: false, registry: registry, init: ini))
        case "sep_conv_3x3":
            self = .sepConv(SepConv(prefix, channels: c, kernel: 3, stride: s, padding: 1, affine: false, registry: registry, init: ini))
        case "sep_conv_5x5":
            self = .sepConv(SepConv(prefix, channels: c, kernel: 5, stride: s, padding: 2, affine: false, registry: registry, init: ini))
        case "dil_conv_3x3":
            self = .dilConv(DilConv(prefix, channels: c, kernel: 3, stride: s, padding: 2, dilation: 2, affine: false, registry: registry, init: ini))
        case "dil_conv_5x5":
            self = .dilConv(DilConv(prefix, channels: c, kernel: 5, stride: s, padding: 4, dilation: 2, affine: false, registry: registry, init: ini))
        default:
            preconditionFailure("unknown candidate operation \(name)")
        }
    }

    var isZero: Bool { if case .zero = self { return true } else { return false } }

    func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        switch self {
        case .zero:
            preconditionFailure("the zero operation is never computed")
        case let .maxPool(s, bn):
            return bn(tape.maxPool2d(x, kernel: 3, stride: s, padding: 1), tape, mode)
        case let .avgPool(s, bn):
            return bn(tape.avgPool2d(x, kernel: 3, stride: s, padding: 1), tape, mode)
        case .identity:
            return x
        case let .factorizedReduce(f):
            return f(x, tape, mode)
        case let .sepConv(op):
            return op(x, tape, mode)
        case let .dilConv(op):
            return op(x, tape, mode)
        }
    }
}

/// A mixed edge: Σ_k act(α)[e, k] · op_k(x), skipping `none` and (CRB) ops whose weight is ≤ 0.
struct MixedEdge {
    let ops: [CandidateOperation]
    /// Trainable parameters of each op (for the per-edge per-op FIMT trace).
    let opParameters: [[Parameter]]

    /// `activated` is the (edges × ops) activated α on the tape; `edge` this edge's row;
    /// `activatedValues` the same matrix as plain numbers, to decide which ops to skip.
    /// `skipNonPositive` (CRB) leaves out ops whose activated weight is ≤ 0, as the reference does.
    func callAsFunction(_ x: Var, edge: Int, activated: Var, activatedValues: [Float], skipNonPositive: Bool,
                        _ tape: Tape, _ mode: ForwardMode) -> Var? {
        let k = ops.count
        var outputs: [Var] = []
        var indices: [Int] = []
        for (i, op) in ops.enumerated() where !op.isZero {
            let index = edge * k + i
            if skipNonPositive && activatedValues[index] <= 0 { continue }  // CRB: pruned, no work
            outputs.append(op(x, tape, mode))
            indices.append(index)
        }
        if outputs.isEmpty { return nil }
        return tape.weightedSum(outputs, weights: activated, indices: indices)
    }
}
