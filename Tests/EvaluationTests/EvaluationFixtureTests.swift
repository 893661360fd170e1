// The evaluation network against PyTorch (EvaluationFixture.swift): state_dict names both ways,
// logits, auxiliary logits, loss, every gradient, evaluation-mode logits after the training
// forward, and the parameter counts the fixture records. Tolerances are the fixtures README's,
// as for the supernet: 1e−4 relative for logits and loss, 1e−3 relative gradient norm per tensor.

import Testing
import DartsCore
import DartsNN
import Architecture
import FixtureSupport
@testable import Evaluation

@Suite("Evaluation network vs PyTorch fixture")
struct EvaluationFixtureTests {
    @Test("every fixture tensor has a network tensor of the same name and shape, and back")
    func namesMatch() throws {
        let f = try EvaluationFixture()
        let (net, mismatches) = try f.model()
        #expect(mismatches.isEmpty, "shapes differ: \(mismatches)")
        let fixtureNames = Set(try f.file.names(in: "before"))
        let networkNames = Set(net.namedTensors.map(\.name))
        #expect(fixtureNames.subtracting(networkNames).isEmpty, "only in the fixture: \(fixtureNames.subtracting(networkNames).sorted())")
        #expect(networkNames.subtracting(fixtureNames).isEmpty, "only in the network: \(networkNames.subtracting(fixtureNames).sorted())")
        #expect(net.namedTensors.count == networkNames.count, "a name is registered twice")
        // The weights are exactly PyTorch's parameters (the gradients' names), the rest buffers.
        #expect(Set(try f.file.names(in: "grad")) == Set(net.weights.map(\.name)))
        // Every batch norm's prefix has its running statistics in the fixture (num_batches_tracked
        // is left out of it, as of every fixture).
        for prefix in net.batchNormPrefixes {
            #expect(fixtureNames.contains(prefix + ".running_mean") && fixtureNames.contains(prefix + ".running_var"))
        }
        let prefixes = Set(fixtureNames.filter { $0.hasSuffix(".running_var") }.map { String($0.dropLast(".running_var".count)) })
        #expect(Set(net.batchNormPrefixes) == prefixes && net.batchNormPrefixes.count == prefixes.count)
    }

    @Test("the fixture's genotype is DARTS_V2")
    func genotype() throws {
        let f = try EvaluationFixture()
        #expect(try Genotype(parsing: f.file.stringAttribute("genotype")) == .dartsV2)
    }

    @Test("logits, auxiliary logits, loss, every gradient, evaluation logits after the training forward")
    func forwardAndGradients() throws {
        let f = try EvaluationFixture()
        let (net, _) = try f.model()
        let (x, y) = try f.input()
        var rng = PhiloxRandom(seed: 3)
        let before = rng
        let tape = Tape()
        let out = net.forward(tape, input: x, mode: .weightStep, dropPath: 0, rng: &rng)
        #expect(rng == before, "no drop path, no draws")
        guard let aux = out.auxiliaryLogits else {
            Issue.record("a training-mode forward of a network with the head returns auxiliary logits")
            return
        }
        let loss = EvaluationNetwork.loss(tape, logits: out.logits, auxiliaryLogits: aux, labels: y, auxiliaryWeight: 0.4)
        let logitsError = relativeError(tape.value(out.logits).scalars, try f.file.read("logits").values)
        let auxError = relativeError(tape.value(aux).scalars, try f.file.read("aux_logits").values)
        let lossError = relativeError([tape.value(loss).scalar], try f.file.read("loss").values)
        #expect(logitsError < 1e-4, "logits: relative error \(logitsError)")
        #expect(auxError < 1e-4, "auxiliary logits: relative error \(auxError)")
        #expect(lossError < 1e-4, "loss: relative error \(lossError)")
        tape.backward(loss)
        var worst = (name: "", error: 0.0)
        for p in net.weights {
            let expected = try f.file.read("grad/\(p.name)").values
            let err = relativeNormError(p.grad.scalars, expected)
            #expect(err < 1e-3, "gradient of \(p.name): relative error \(err)")
            if err > worst.error { worst = (p.name, err) }
        }
        print("evaluation fixture: logits \(logitsError), aux \(auxError), loss \(lossError), worst gradient \(worst.name) \(worst.error)")
        #expect(net.batchesTracked == 1)
        let evalTape = Tape()
        let evalLogits = net.evaluationLogits(evalTape, input: x)
        let evalError = relativeError(evalTape.value(evalLogits).scalars, try f.file.read("logits_eval").values)
        #expect(evalError < 1e-4, "evaluation logits: relative error \(evalError)")
        #expect(net.batchesTracked == 1, "an evaluation pass does not count")
    }

    @Test("parameter counts: this network's from the fixture's attributes")
    func fixtureCounts() throws {
        let f = try EvaluationFixture()
        let (net, _) = try f.model()
        #expect(net.parameterCount(includingAuxiliary: true) == (try f.file.integerAttribute("params_this_net_total")))
        #expect(net.parameterCount(includingAuxiliary: false)
                == (try f.file.integerAttribute("params_this_net_without_auxiliary")))
    }
}
