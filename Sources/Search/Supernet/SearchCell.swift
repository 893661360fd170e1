// A search cell (SPEC §1): two preprocessed inputs, four intermediate nodes over 14 mixed edges,
// output the channel concat of the nodes.

import DartsCore

/// The preprocessing of the cell-two-back input: FactorizedReduce after a reduction cell.
enum Preprocess0 {
    case reluConvBN(ReLUConvBN)
    case factorizedReduce(FactorizedReduce)

    func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        switch self {
        case let .reluConvBN(op): return op(x, tape, mode)
        case let .factorizedReduce(op): return op(x, tape, mode)
        }
    }
}

struct SearchCell {
    static let steps = 4
    static let edgeCount = 14

    let reduction: Bool
    let preprocess0: Preprocess0
    let preprocess1: ReLUConvBN
    let edges: [MixedEdge]
    /// CRB only: BN(affine=false) after each node's sum.
    let nodeNorms: [BatchNormLayer]

    init(index i: Int, cpp: Int, cp: Int, c: Int, reduction: Bool, reductionPrevious: Bool,
         opNames: [String], crb: Bool, registry: ParameterRegistry, init ini: WeightInitialiser) {
        let prefix = "cells.\(i)"
        self.reduction = reduction
        preprocess0 = reductionPrevious
            ? .factorizedReduce(FactorizedReduce(prefix + ".preprocess0", cin: cpp, cout: c, affine: false, registry: registry, init: ini))
            : .reluConvBN(ReLUConvBN(prefix + ".preprocess0", cin: cpp, cout: c, affine: false, registry: registry, init: ini))
        preprocess1 = ReLUConvBN(prefix + ".preprocess1", cin: cp, cout: c, affine: false, registry: registry, init: ini)
        var edges: [MixedEdge] = []
        var e = 0
        for node in 0..<Self.steps {
            for j in 0..<(node + 2) {
                let stride = reduction && j < 2 ? 2 : 1
                var ops: [CandidateOperation] = []
                var owned: [[Parameter]] = []
                for (k, name) in opNames.enumerated() {
                    registry.currentOwner = []
                    ops.append(CandidateOperation(name: name, prefix: "\(prefix)._ops.\(e)._ops.\(k)", channels: c,
                                                  stride: stride, registry: registry, init: ini))
                    owned.append(registry.currentOwner ?? [])
                    registry.currentOwner = nil
                }
                edges.append(MixedEdge(ops: ops, opParameters: owned))
                e += 1
            }
        }
        self.edges = edges
        nodeNorms = crb
            ? (0..<Self.steps).map { BatchNormLayer("\(prefix)._bns.\($0)", channels: c, affine: false, registry: registry) }
            : []
    }

    /// `activated`: (14 × ops) activated α of this cell's type on the tape, and its values.
    func callAsFunction(_ s0: Var, _ s1: Var, activated: Var, activatedValues: [Float], crb: Bool,
                        _ tape: Tape, _ mode: ForwardMode) -> Var {
        var states = [preprocess0(s0, tape, mode), preprocess1(s1, tape, mode)]
        var offset = 0
        for node in 0..<Self.steps {
            var terms: [Var] = []
            for (j, h) in states.enumerated() {
                if let out = edges[offset + j](h, edge: offset + j, activated: activated, activatedValues: activatedValues,
                                               skipNonPositive: crb, tape, mode) {
                    terms.append(out)
                }
            }
            var sum: Var
            if terms.isEmpty {
                // Every op into this node was pruned: the node is zero (at the node's resolution).
                let s = tape.shape(states[0])
                let shape = reduction ? [s[0], s[1], (s[2] + 1) / 2, (s[3] + 1) / 2] : s
                sum = tape.constant(Tensor(shape: shape))
            } else {
                sum = terms.count == 1 ? terms[0] : tape.addN(terms)
            }
            if crb { sum = nodeNorms[node](sum, tape, mode) }
            offset += states.count
            states.append(sum)
        }
        return tape.concatChannels(Array(states.suffix(Self.steps)))
    }
}
