// A search cell (SPEC §1): two preprocessed inputs, the space's intermediate nodes (four, over
// 14 mixed edges, in the CNN space), output the channel concat of the nodes.

import DartsCore
import DartsNN
import Architecture

struct SearchCell {
    /// Edge numbering, candidate ops (α columns) and concat of the cell.
    let space: SearchSpace
    let reduction: Bool
    let preprocess0: CellPreprocess
    let preprocess1: ReLUConvBN
    let edges: [MixedEdge]
    /// CRB only: BN(affine=false) after each node's sum.
    let nodeNorms: [BatchNorm]

    init(index i: Int, cpp: Int, cp: Int, c: Int, reduction: Bool, reductionPrevious: Bool,
         space: SearchSpace, crb: Bool, registry: ParameterRegistry, rng: inout PhiloxRandom) {
        precondition(space.cellInputs == 2, "a CNN search cell has inputs s0 and s1, not \(space.cellInputs)")
        let prefix = "cells.\(i)"
        self.space = space
        self.reduction = reduction
        preprocess0 = CellPreprocess(prefix + ".preprocess0", cin: cpp, cout: c, afterReduction: reductionPrevious,
                                     affine: false, registry: registry, rng: &rng)
        preprocess1 = ReLUConvBN(prefix + ".preprocess1", cin: cp, cout: c, affine: false, registry: registry, rng: &rng)
        var edges: [MixedEdge] = []
        for node in 0..<space.nodes {
            for j in 0..<space.inputs(node: node) {
                let e = space.edgeIndex(node: node, input: j)
                let stride = reduction && j < space.cellInputs ? 2 : 1
                var ops: [CellOperation] = []
                var owned: [[Parameter]] = []
                for (k, name) in space.ops.enumerated() {
                    let (op, weights) = registry.collectingWeights {
                        CellOperation(name: name, prefix: "\(prefix)._ops.\(e)._ops.\(k)", channels: c, stride: stride,
                                      style: .search, registry: registry, rng: &rng)
                    }
                    ops.append(op)
                    owned.append(weights)
                }
                edges.append(MixedEdge(ops: ops, opParameters: owned))
            }
        }
        self.edges = edges
        nodeNorms = crb
            ? (0..<space.nodes).map { BatchNorm("\(prefix)._bns.\($0)", channels: c, affine: false, registry: registry) }
            : []
    }

    /// `activated`: (edges × ops) activated α of this cell's type on the tape, and its values.
    func callAsFunction(_ s0: Var, _ s1: Var, activated: Var, activatedValues: [Float], crb: Bool,
                        _ tape: Tape, _ mode: ForwardMode) -> Var {
        var states = [preprocess0(s0, tape, mode), preprocess1(s1, tape, mode)]
        for node in 0..<space.nodes {
            let offset = space.firstEdge(node: node)
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
            states.append(sum)
        }
        return tape.concatChannels(space.concat.map { states[$0] })
    }
}
