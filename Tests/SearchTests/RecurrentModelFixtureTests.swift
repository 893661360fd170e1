// The recurrent search model against PyTorch (shared/fixtures/rnn_search_tiny.h5, float64, every
// mask given): log-probabilities, hidden state, NLL, TAR, loss, every gradient (the tied
// embedding's whole gradient, α's), FIMT and the shared batch norm's running statistics after
// its 45 uses. Tolerances are the fixtures README's: 1e-4 relative for values, 1e-3 relative
// gradient norm per tensor.

import Testing
import FixtureSupport
@testable import Search
import DartsCore
import DartsNN

struct RecurrentFixture {
    let file: FixtureFile
    init() throws { file = try FixtureFile("rnn_search_tiny.h5") }

    /// V = 50, ninp = nhid = 8 holding the fixture's `before/` tensors.
    func model() throws -> RecurrentSearchModel {
        var rng = PhiloxRandom(seed: 1)
        let model = RecurrentSearchModel(RecurrentSearchConfiguration(vocabulary: 50, inputSize: 8, hiddenSize: 8), rng: &rng)
        for p in model.namedTensors {
            let (shape, values) = try file.read("before/\(p.name)")
            #expect(shape == p.shape, "shape of \(p.name)")
            p.value = Tensor(shape: p.shape, scalars: values.map { Float($0) })
        }
        return model
    }

    func tensor(_ name: String) throws -> Tensor {
        let (shape, values) = try file.read(name)
        return Tensor(shape: shape, scalars: values.map { Float($0) })
    }

    func tokens(_ name: String) throws -> [Int] { try file.read(name).values.map { Int($0) } }

    func masks() throws -> RecurrentMasks {
        RecurrentMasks(x: try tensor("masks/x"), h: try tensor("masks/h"),
                       lockIn: try tensor("masks/lock_in").reshaped([3, 8]), lockOut: try tensor("masks/lock_out").reshaped([3, 8]))
    }
}

let allLeaves = ForwardMode(training: true, weightsRequireGrad: true, alphasRequireGrad: true)

@Suite("Recurrent search model vs PyTorch fixture")
struct RecurrentModelFixtureTests {
    @Test("the model's tensors are the fixture's state_dict names (decoder.weight is the tied embedding)")
    func namesMatch() throws {
        let f = try RecurrentFixture()
        let model = try f.model()
        let fixtureNames = Set(try f.file.names(in: "before"))
        #expect(fixtureNames == Set(model.namedTensors.map(\.name) + ["decoder.weight"]))
        #expect(try f.file.read("before/decoder.weight").values == f.file.read("before/encoder.weight").values)
        #expect(model.weights.map(\.name) == ["encoder.weight", "rnns.0._W0"] + (0..<8).map { "rnns.0._Ws.\($0)" } + ["decoder.bias"])
        #expect(model.alpha.shape == [36, 5])
    }

    @Test("log-probabilities, hidden state, NLL, TAR, loss, every gradient, FIMT, BN running statistics")
    func forwardAndGradients() throws {
        let f = try RecurrentFixture()
        let model = try f.model()
        let input = try f.tokens("input"), target = try f.tokens("target")
        let tape = Tape()
        let forward = model.forward(tape, input: input, batchSize: 3, hidden: try f.tensor("hidden_in"), masks: try f.masks(),
                                    mode: allLeaves)
        let (loss, nll, tar) = model.loss(forward, target: target, tarCoefficient: 1e-3, tape)
        #expect(relativeError(tape.value(tape.logSoftmax(forward.logits)).scalars, try f.file.read("log_prob").values) < 1e-4)
        #expect(relativeError(forward.hidden.scalars, try f.file.read("hidden_out").values) < 1e-4)
        #expect(relativeError([tape.value(nll).scalar], try f.file.read("nll").values) < 1e-4)
        let tarValue = try #require(tar.map { tape.value($0).scalar })
        #expect(relativeError([tarValue], try f.file.read("tar").values) < 1e-4)
        #expect(relativeError([tape.value(loss).scalar], try f.file.read("loss").values) < 1e-4)
        tape.backward(loss)
        for p in model.weights + [model.alpha] {
            let expected = try f.file.read("grad/\(p.name)").values
            #expect(expected.contains { $0 != 0 }, "the fixture's gradient of \(p.name) is not all zero")
            let err = relativeNormError(p.grad.scalars, expected)
            #expect(err < 1e-3, "gradient of \(p.name): relative error \(err)")
        }
        let expectedFimt = try f.file.read("fimt").values[0]
        #expect(abs(model.weightGradientSquaredSum() - expectedFimt) / expectedFimt < 2e-3)
        for p in model.buffers {
            let before = try f.file.read("before/\(p.name)").values
            let expected = try f.file.read("after_forward/\(p.name)").values
            #expect(expected != before, "the fixture's \(p.name) moved")
            #expect(relativeError(p.value.scalars, expected, floor: 1e-2) < 1e-4, "running statistic \(p.name)")
        }
    }

    @Test("backpropagate's modes: the weight step leaves α's gradient alone, the α step the weights'")
    func modesSplitTheGradients() throws {
        let f = try RecurrentFixture()
        let input = try f.tokens("input"), target = try f.tokens("target")
        let hidden = try f.tensor("hidden_in"), masks = try f.masks()
        let both = try f.model()
        _ = both.backpropagate(input: input, target: target, batchSize: 3, hidden: hidden, masks: masks, mode: allLeaves)
        let weightsOnly = try f.model()
        let w = weightsOnly.backpropagate(input: input, target: target, batchSize: 3, hidden: hidden, masks: masks, mode: .weightStep)
        #expect(weightsOnly.alpha.grad.scalars.allSatisfy { $0 == 0 })
        for (a, b) in zip(weightsOnly.weights, both.weights) { #expect(a.grad == b.grad, "weight step gradient of \(a.name)") }
        let alphaOnly = try f.model()
        _ = alphaOnly.backpropagate(input: input, target: target, batchSize: 3, hidden: hidden, masks: masks, mode: .alphaStep)
        #expect(alphaOnly.alpha.grad == both.alpha.grad)
        #expect(alphaOnly.alpha.grad.scalars.contains { $0 != 0 })
        for p in alphaOnly.weights { #expect(p.grad.scalars.allSatisfy { $0 == 0 }, "α step touched \(p.name)") }
        // The α step's batch norm is in training mode too: it moves the running statistics.
        for (a, b) in zip(alphaOnly.buffers, both.buffers) { #expect(a.value == b.value) }
        #expect(relativeError([Float(w.loss)], try f.file.read("loss").values) < 1e-4)
        #expect(relativeError(w.hidden.scalars, try f.file.read("hidden_out").values) < 1e-4)
    }
}

@Suite("Recurrent search model vs PyTorch fixture: negative controls")
struct RecurrentModelFixtureControls {
    @Test("other masks, or the batch norm used once per step, miss the fixture by far more than the tolerance")
    func perturbedModelsMiss() throws {
        let f = try RecurrentFixture()
        let input = try f.tokens("input")
        let expected = try f.file.read("log_prob").values
        var masks = try f.masks()
        masks.h = Tensor(shape: [3, 8], repeating: 1)
        let model = try f.model()
        let tape = Tape(recording: false)
        let forward = model.forward(tape, input: input, batchSize: 3, hidden: try f.tensor("hidden_in"), masks: masks, mode: .weightStep)
        #expect(relativeError(tape.value(tape.logSoftmax(forward.logits)).scalars, expected) > 1e-3)
        // Running statistics after one step (9 uses) are not those after five (45).
        let once = try f.model()
        let t2 = Tape(recording: false)
        _ = once.forward(t2, input: Array(input[0..<3]), batchSize: 3, hidden: try f.tensor("hidden_in"), masks: try f.masks(),
                         mode: .weightStep)
        let after = try f.file.read("after_forward/rnns.0.bn.running_var").values
        #expect(relativeError(once.buffers[1].value.scalars, after, floor: 1e-2) > 1e-2)
    }
}
