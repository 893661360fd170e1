// How the evaluation network is built: PyTorch's creation order for weights and draws, cell
// types and strides from the genotype, the training-pass count behind `num_batches_tracked`,
// and the configuration's one-sentence problems.

import Testing
import DartsCore
import DartsNN
import Architecture
@testable import Evaluation

@Suite("Evaluation network structure")
struct NetworkStructureTests {
    @Test("weights in NetworkCIFAR's creation order, drawn in that order from the caller's generator")
    func creationOrder() {
        var rng = PhiloxRandom(seed: 5)
        let config = EvaluationConfiguration(genotype: .dartsV2, channels: 4, layers: 5, classes: 10)
        let net = EvaluationNetwork(config, rng: &rng)
        let names = net.weights.map(\.name)
        #expect(names.first == "stem.0.weight" && names.last == "classifier.bias")
        let firstAux = names.firstIndex { $0.hasPrefix("auxiliary_head") }!
        let lastCell = names.lastIndex { $0.hasPrefix("cells.") }!
        #expect(lastCell < firstAux && names[firstAux] == "auxiliary_head.features.2.weight")
        #expect(Array(names.suffix(2)) == ["classifier.weight", "classifier.bias"])
        // The first draw is the stem's conv weight; the generator advanced past every draw.
        var replay = PhiloxRandom(seed: 5)
        #expect(net.weights[0].value == Initializer.convWeight(shape: [12, 3, 3, 3], rng: &replay))
        var again = PhiloxRandom(seed: 5)
        let twin = EvaluationNetwork(config, rng: &again)
        #expect(again == rng && zip(net.namedTensors, twin.namedTensors).allSatisfy { $0.value == $1.value })
        // Draws: one uniform per conv/linear element, in order (batch norms draw nothing).
        var counted = PhiloxRandom(seed: 5)
        let drawn = net.weights.filter { $0.shape.count != 1 || $0.name.hasSuffix("classifier.bias") }
        for w in drawn { for _ in 0..<w.value.count { _ = counted.nextUniformFloat() } }
        #expect(counted == rng)
        // Batch norms start at PyTorch's defaults.
        for prefix in net.batchNormPrefixes {
            let t = Dictionary(uniqueKeysWithValues: net.namedTensors.map { ($0.name, $0.value) })
            #expect(t[prefix + ".weight"]!.scalars.allSatisfy { $0 == 1 } && t[prefix + ".bias"]!.scalars.allSatisfy { $0 == 0 })
            #expect(t[prefix + ".running_mean"]!.scalars.allSatisfy { $0 == 0 } && t[prefix + ".running_var"]!.scalars.allSatisfy { $0 == 1 })
        }
    }

    @Test("an odd C builds and runs (FactorizedReduce only ever sees a doubled width)")
    func oddChannels() {
        var rng = PhiloxRandom(seed: 5)
        let net = EvaluationNetwork(EvaluationConfiguration(genotype: .dartsV2, channels: 3, layers: 3, classes: 2), rng: &rng)
        let x = Tensor(shape: [2, 3, 32, 32], scalars: rng.normal(count: 2 * 3 * 32 * 32))
        let t = Tape(recording: false)
        let out = net.forward(t, input: x, mode: .weightStep, dropPath: 0.1, rng: &rng)
        #expect(t.shape(out.logits) == [2, 2] && out.auxiliaryLogits != nil)
    }

    @Test("cells follow the genotype: reductions at ⌊L/3⌋ and ⌊2L/3⌋, stride 2 on inputs 0 and 1 there")
    func cellsFollowGenotype() {
        var rng = PhiloxRandom(seed: 5)
        let net = EvaluationNetwork(EvaluationConfiguration(genotype: .dartsV2, channels: 2, layers: 7, classes: 3), rng: &rng)
        #expect(net.cells.map(\.reduction) == [false, false, true, false, true, false, false])
        for (i, cell) in net.cells.enumerated() {
            let gene = cell.reduction ? Genotype.dartsV2.reduce : Genotype.dartsV2.normal
            #expect(cell.inputs == gene.map(\.input) && cell.concat == [2, 3, 4, 5])
            for (k, op) in cell.ops.enumerated() {
                // A stride-2 skip is a FactorizedReduce; a stride-1 skip the identity.
                if gene[k].op == "skip_connect" { #expect(op.isIdentity == !(cell.reduction && gene[k].input < 2), "cell \(i) op \(k)") }
            }
            let previousReduction = i > 0 && net.cells[i - 1].reduction
            if case .factorizedReduce = cell.preprocess0 { #expect(previousReduction) } else { #expect(!previousReduction) }
        }
        // Stride-2 ops of reduction cells: halved resolution; the head sees cell ⌊2L/3⌋ = 4.
        #expect(net.configuration.auxiliaryCell == 4)
    }

    @Test("a training pass counts for num_batches_tracked and returns the head's logits; evaluation does neither")
    func trainingPasses() {
        var rng = PhiloxRandom(seed: 5)
        let net = EvaluationNetwork(EvaluationConfiguration(genotype: .dartsV2, channels: 2, layers: 3, classes: 3), rng: &rng)
        let x = Tensor(shape: [2, 3, 32, 32], scalars: rng.normal(count: 2 * 3 * 32 * 32))
        var masks = PhiloxRandom(seed: 1)
        #expect(net.batchesTracked == 0)
        for expected in 1...2 {
            let t = Tape(recording: false)
            let out = net.forward(t, input: x, mode: .weightStep, dropPath: 0.2, rng: &masks)
            #expect(out.auxiliaryLogits.map { t.shape($0) } == [2, 3] && t.shape(out.logits) == [2, 3])
            #expect(net.batchesTracked == expected)
        }
        let t = Tape(recording: false)
        let out = net.forward(t, input: x, mode: .evaluation, dropPath: 0.2, rng: &masks)
        #expect(out.auxiliaryLogits == nil && net.batchesTracked == 2)
        net.batchesTracked = 600  // restored by a run kind
        _ = net.backpropagate(images: x, labels: [0, 2], dropPath: 0, rng: &masks)
        #expect(net.batchesTracked == 601)
    }

    @Test("loss helper: CE + weight · CE_aux, and CE alone without auxiliary logits")
    func lossHelper() {
        let t = Tape(recording: false)
        let logits = t.constant(Tensor(shape: [2, 3], scalars: [0.1, 0.5, -0.3, 1.2, 0.0, 0.4]))
        let aux = t.constant(Tensor(shape: [2, 3], scalars: [0.7, -0.2, 0.3, 0.0, 0.9, -1.0]))
        let ce = t.value(t.crossEntropy(logits, labels: [1, 2])).scalar
        let ceAux = t.value(t.crossEntropy(aux, labels: [1, 2])).scalar
        let both = t.value(EvaluationNetwork.loss(t, logits: logits, auxiliaryLogits: aux, labels: [1, 2])).scalar
        #expect(both == ce + ceAux * 0.4)
        let weighted = t.value(EvaluationNetwork.loss(t, logits: logits, auxiliaryLogits: aux, labels: [1, 2], auxiliaryWeight: 1)).scalar
        #expect(weighted == ce + ceAux)
        #expect(t.value(EvaluationNetwork.loss(t, logits: logits, auxiliaryLogits: nil, labels: [1, 2])).scalar == ce)
    }

    @Test("configuration problems are one sentence each; a valid one has none")
    func problems() {
        let ok = EvaluationConfiguration(genotype: .dartsV2, channels: 36, layers: 20, classes: 10)
        #expect(ok.problem == nil)
        var narrow = ok; narrow.channels = 0
        #expect(narrow.problem?.contains("at least one channel") == true)
        var odd = ok; odd.channels = 3
        #expect(odd.problem == nil, "odd C builds: FactorizedReduce only sees doubled widths")
        var recurrent = ok; recurrent.genotype = .recurrentDartsV2
        #expect(recurrent.problem?.contains("normal and a reduce cell") == true)
        var none = ok; none.genotype.normal[3] = GenotypeEdge(op: "none", input: 1)
        #expect(none.problem?.contains("'none'") == true)
        var input = ok; input.genotype.reduce[0] = GenotypeEdge(op: "max_pool_3x3", input: 2)
        #expect(input.problem?.contains("not a valid input of node 0") == true)
        var concat = ok; concat.genotype.reduceConcat = [1, 2]
        #expect(concat.problem?.contains("concatenates [1, 2]") == true)
        var pairs = ok; pairs.genotype.normal.removeLast()
        #expect(pairs.problem?.contains("7 (op, input) pairs") == true)
    }

    @Test("evaluate: running statistics, no head, no gradients; backpropagate fills every weight's gradient")
    func passes() {
        var rng = PhiloxRandom(seed: 8)
        let net = EvaluationNetwork(EvaluationConfiguration(genotype: .dartsV2, channels: 2, layers: 3, classes: 3), rng: &rng)
        let x = Tensor(shape: [2, 3, 32, 32], scalars: rng.normal(count: 2 * 3 * 32 * 32))
        var masks = PhiloxRandom(seed: 2)
        let (loss, accuracy) = net.backpropagate(images: x, labels: [1, 0], dropPath: 0, rng: &masks)
        #expect(loss.isFinite && loss > 0 && [0, 0.5, 1].contains(accuracy))
        #expect(net.weights.allSatisfy { w in w.grad.scalars.contains { $0 != 0 } }, "every weight gets a gradient")
        let before = net.buffers.map(\.value)
        let e = net.evaluate(images: x, labels: [1, 0])
        #expect(e.loss.isFinite && net.buffers.map(\.value) == before && net.batchesTracked == 1)
    }
}
