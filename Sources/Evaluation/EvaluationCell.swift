// One cell of the evaluation network (SPEC §6): the genotype's chosen (op, input) pairs, two per
// node, with affine batch norm, instead of the search cell's mixed edges.

import DartsCore
import DartsNN
import Architecture

/// DARTS's evaluation `Cell`: preprocess both inputs, then node i = op_a(states[j_a]) +
/// op_b(states[j_b]) for its two pairs, drop path on every op output that is not an identity;
/// the output concatenates the genotype's concat states on channels.
struct EvaluationCell {
    let reduction: Bool
    let preprocess0: CellPreprocess
    let preprocess1: ReLUConvBN
    /// The genotype's ops in its order, `cells.{i}._ops.{k}`; op k feeds node k / 2.
    let ops: [CellOperation]
    let inputs: [Int]
    let concat: [Int]

    /// Builds cell `index` from `gene`: preprocess0, preprocess1, then the ops in order, each
    /// drawing its weights from `rng`. Ops on inputs j < 2 of a reduction cell have stride 2.
    init(index: Int, gene: GenotypeCell, cpp: Int, cp: Int, c: Int, reduction: Bool, reductionPrevious: Bool,
         registry: ParameterRegistry, rng: inout PhiloxRandom) {
        let prefix = "cells.\(index)"
        self.reduction = reduction
        preprocess0 = CellPreprocess(prefix + ".preprocess0", cin: cpp, cout: c, afterReduction: reductionPrevious,
                                     affine: true, registry: registry, rng: &rng)
        preprocess1 = ReLUConvBN(prefix + ".preprocess1", cin: cp, cout: c, affine: true, registry: registry, rng: &rng)
        var ops: [CellOperation] = []
        for (k, edge) in gene.edges.enumerated() {
            let stride = reduction && edge.input < 2 ? 2 : 1
            ops.append(CellOperation(name: edge.op, prefix: "\(prefix)._ops.\(k)", channels: c, stride: stride,
                                     style: .evaluation, registry: registry, rng: &rng))
        }
        self.ops = ops
        inputs = gene.edges.map(\.input)
        concat = gene.concat
    }

    /// Output channels relative to C: the number of concatenated states (DARTS's `multiplier`).
    var multiplier: Int { concat.count }

    /// `dropPath` > 0 in training mode draws one mask per non-identity op from `rng` (DropPath.swift).
    func callAsFunction(_ s0: Var, _ s1: Var, dropPath p: Double, rng: inout PhiloxRandom,
                        _ tape: Tape, _ mode: ForwardMode) -> Var {
        var states = [preprocess0(s0, tape, mode), preprocess1(s1, tape, mode)]
        let dropping = mode.training && p > 0
        for node in 0..<(ops.count / 2) {
            var terms: [(output: Var, dropFactors: [Float]?)] = []
            for k in [2 * node, 2 * node + 1] {
                let x = states[inputs[k]]
                let h = ops[k](x, tape, mode)
                let dropped = dropping && !ops[k].isIdentity
                terms.append((h, dropped ? DropPath.factors(samples: tape.shape(x)[0], probability: p, rng: &rng) : nil))
            }
            // Drop path's scaling and the node's sum in one pass (the bits of scaleSamples, then add).
            states.append(tape.addScaledSamples(terms[0].output, by: terms[0].dropFactors,
                                                terms[1].output, by: terms[1].dropFactors))
        }
        return tape.concatChannels(concat.map { states[$0] })
    }
}
