// The supernet against PyTorch (shared/fixtures/supernet_c4l3.h5, float64): logits, loss, every
// gradient, FIMT, BN statistics, eval logits, projection, proximity term, one SGD and one Adam
// step, for softmax and CRB. Tolerances are the fixtures README's: 1e-4 relative for
// logits/loss, 1e-3 relative gradient norm per tensor.

import Testing
import Foundation
import FixtureSupport
@testable import Search
import DartsCore
import DartsNN
import Architecture

struct SupernetFixture {
    let file: FixtureFile
    let group: String
    let activation: ActivationKind

    init(_ activation: ActivationKind) throws {
        file = try FixtureFile("supernet_c4l3.h5")
        group = activation == .crb ? "crb" : "softmax"
        self.activation = activation
    }

    /// A C=4, L=3 supernet holding the fixture's `before/` tensors.
    func model() throws -> Supernet {
        var rng = PhiloxRandom(seed: 1)
        let net = Supernet(SupernetConfiguration(channels: 4, layers: 3, classes: 10, inputChannels: 3, activation: activation),
                           rng: &rng)
        for p in net.namedTensors {
            let (shape, values) = try file.read("\(group)/before/\(p.name)")
            #expect(shape == p.shape, "shape of \(p.name)")
            p.value = Tensor(shape: p.shape, scalars: values.map { Float($0) })
        }
        return net
    }

    func input() throws -> (Tensor, [Int]) {
        let (shape, x) = try file.read("\(group)/input")
        let y = try file.read("\(group)/target").values.map { Int($0) }
        return (Tensor(shape: shape, scalars: x.map { Float($0) }), y)
    }
}

let bothModes = ForwardMode(training: true, weightsRequireGrad: true, alphasRequireGrad: true)

@Suite("Supernet vs PyTorch fixture")
struct SupernetFixtureTests {
    @Test("every fixture tensor has a model parameter of the same name, and back", arguments: [ActivationKind.softmax, .crb])
    func namesMatch(_ activation: ActivationKind) throws {
        let f = try SupernetFixture(activation)
        let net = try f.model()
        let fixtureNames = Set(try f.file.names(in: "\(f.group)/before"))
        let modelNames = Set(net.namedTensors.map(\.name))
        #expect(fixtureNames == modelNames)
    }

    @Test("forward, loss, gradients, FIMT, BN statistics, eval logits", arguments: [ActivationKind.softmax, .crb])
    func forwardAndGradients(_ activation: ActivationKind) throws {
        let f = try SupernetFixture(activation)
        let net = try f.model()
        let (x, y) = try f.input()
        let tape = Tape()
        let logits = net.forward(tape, input: x, mode: bothModes)
        let loss = tape.crossEntropy(logits, labels: y)
        #expect(relativeError(tape.value(logits).scalars, try f.file.read("\(f.group)/logits").values) < 1e-4)
        #expect(relativeError([tape.value(loss).scalar], try f.file.read("\(f.group)/loss").values) < 1e-4)
        tape.backward(loss)
        for p in net.weights + [net.alphasNormal, net.alphasReduce] {
            let expected = try f.file.read("\(f.group)/grad/\(p.name)").values
            let norm = expected.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm < 1e-12 {
                let got = p.grad.scalars.reduce(Float(0)) { max($0, abs($1)) }
                #expect(got == 0, "gradient of \(p.name) should be exactly zero (pruned), max |g| = \(got)")
            } else {
                let err = relativeNormError(p.grad.scalars, expected)
                #expect(err < 1e-3, "gradient of \(p.name): relative error \(err)")
            }
        }
        var fimt = 0.0
        for p in net.weights { for g in p.grad.scalars { fimt += Double(g) * Double(g) } }
        let expectedFimt = try f.file.read("\(f.group)/fimt").values[0]
        #expect(abs(fimt - expectedFimt) / expectedFimt < 2e-3)
        for p in net.buffers {
            let expected = try f.file.read("\(f.group)/after_forward/\(p.name)").values
            #expect(relativeError(p.value.scalars, expected, floor: 1e-2) < 1e-4, "running statistic \(p.name)")
        }
        let evalTape = Tape()
        let evalLogits = net.forward(evalTape, input: x, mode: .evaluation)
        #expect(relativeError(evalTape.value(evalLogits).scalars, try f.file.read("\(f.group)/logits_eval").values) < 1e-4)
    }

    @Test("projection onto the discrete architecture matches", arguments: [ActivationKind.softmax, .crb])
    func projection(_ activation: ActivationKind) throws {
        let f = try SupernetFixture(activation)
        let net = try f.model()
        for alpha in [net.alphasNormal, net.alphasReduce] {
            let (mask, _) = project(activated: activation.activatedRows(alpha.value), space: net.configuration.space)
            let expected = try f.file.read("\(f.group)/projection/\(alpha.name)").values
            #expect(mask.flatMap { $0 } == expected, "projection of \(alpha.name)")
        }
    }
}
