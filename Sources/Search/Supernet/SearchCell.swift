// A search cell (SPEC §1): two preprocessed inputs, four intermediate nodes over 14 mixed edges,
// output the channel concat of the nodes.

import DartsCore
import DartsNN

struct SearchCell {
    static let steps = 4
    static let edgeCount = 14

    let reduction: Bool
    let preprocess0: CellPreprocess
    let preprocess1: ReLUConvBN
    let edges: [MixedEdge]
    /// CRB only: BN(affine=false) after each node's sum.
    let nodeNorms: [BatchNorm]

    init(index i: Int, cpp: Int, cp: Int, c: Int, reduction: Bool, reductionPrevious: Bool,
         opNames: [String], crb: Bool, registry: ParameterRegistry, rng: inout PhiloxRandom) {
        let prefix = "cells.\(i)"
        self.reduction = reduction
        preprocess0 = CellPreprocess(prefix + ".preprocess0", cin: cpp, cout: c, afterReduction: reductionPrevious,
                                     affine: false, registry: registry, rng: &rng)
        preprocess1 = ReLUConvBN(prefix + ".preprocess1", cin: cp, cout: c, affine: false, registry: registry, rng: &rng)
        var edges: [MixedEdge] = []
        var e = 0
        for node in 0..<Self.steps {
            for j in 0..<(node + 2) {
                let stride = reduction && j < 2 ? 2 : 1
                var ops: [CellOperation] = []
                var owned: [[Parameter]] = []
                for (k, name) in opNames.enumerated() {
                    let (op, weights) = registry.collectingWeights {
                        CellOperation(name: name, prefix: "\(prefix)._ops.\(e)._ops.\(k)", channels: c, stride: stride,
                                      style: .search, registry: registry, rng: &rng)
                    }
                    ops.append(op)
                    owned.append(weights)
                }
                edges.append(MixedEdge(ops: ops, opParameters: owned))
                e += 1
            }
        }
        self.edges = edges
        nodeNorms = crb
            ? (0..<Self.steps).map { BatchNorm("\(prefix)._bns.\($0)", channels: c, affine: false, registry: registry) }
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
