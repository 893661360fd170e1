// The regulariser and one step of each optimiser against the PyTorch fixture: proximity term
// and its gradient, an SGD step after clipping, an Adam step on CE + proximity (SPEC §2, §5).

import Testing
import Foundation
import FixtureSupport
@testable import Search
import DartsCore
import DartsNN

@Suite("Regulariser and optimiser steps vs PyTorch fixture")
struct OptimizerFixtureTests {
    @Test("proximity term and its gradient", arguments: [ActivationKind.softmax, .crb])
    func proximity(_ activation: ActivationKind) throws {
        let f = try SupernetFixture(activation)
        let net = try f.model()
        let (value, grads) = ProximityRegularizer(rho: 0.1)
            .evaluate(alphas: [net.alphasNormal.value, net.alphasReduce.value], activation: activation,
                      space: net.configuration.space, clockOverEpochs: 0.5)
        let expected = try f.file.read("\(f.group)/prox/value").values[0]
        #expect(abs(value - expected) / expected < 1e-5)
        #expect(relativeNormError(grads[0].scalars, try f.file.read("\(f.group)/prox/grad/alphas_normal").values) < 1e-4)
        #expect(relativeNormError(grads[1].scalars, try f.file.read("\(f.group)/prox/grad/alphas_reduce").values) < 1e-4)
    }

    @Test("one SGD step after clipping to norm 5", arguments: [ActivationKind.softmax, .crb])
    func sgdStep(_ activation: ActivationKind) throws {
        let f = try SupernetFixture(activation)
        let net = try f.model()
        let (x, y) = try f.input()
        let before = net.weights.map(\.value)
        let tape = Tape()
        tape.backward(tape.crossEntropy(net.forward(tape, input: x, mode: .weightStep), labels: y))
        let norm = clipGradientNorm(net.weights, maxNorm: 5)
        let expectedNorm = try f.file.read("\(f.group)/sgd_step/grad_norm_before_clip").values[0]
        #expect(abs(Double(norm) - expectedNorm) / expectedNorm < 1e-3)
        SGD(lr: 0.025, momentum: 0.9, weightDecay: 3e-4).step(net.weights)
        for (p, w0) in zip(net.weights, before) {
            let expected = try f.file.read("\(f.group)/sgd_step/\(p.name)").values
            // Compare the update itself, which is what the step computes (weights ≫ update). Its
            // error is bounded by 1e−3 of the largest update plus the rounding of the Float32
            // weight it is added to (half an ulp of |w| ≤ 1 is ≤ 6e−8; 1e−7 leaves room).
            let update = zip(p.value.scalars, w0.scalars).map { Double($0 - $1) }
            let expectedUpdate = zip(expected, w0.scalars).map { $0 - Double($1) }
            let largest = expectedUpdate.reduce(0) { max($0, abs($1)) }
            let worst = zip(update, expectedUpdate).reduce(0) { max($0, abs($1.0 - $1.1)) }
            #expect(worst <= 1e-3 * largest + 1e-7, "SGD update of \(p.name): max error \(worst), largest update \(largest)")
        }
    }

    @Test("one Adam step on CE + proximity", arguments: [ActivationKind.softmax, .crb])
    func adamStep(_ activation: ActivationKind) throws {
        let f = try SupernetFixture(activation)
        let net = try f.model()
        let (x, y) = try f.input()
        let alphas = [net.alphasNormal, net.alphasReduce]
        let before = alphas.map(\.value)
        let tape = Tape()
        tape.backward(tape.crossEntropy(net.forward(tape, input: x, mode: .alphaStep), labels: y))
        let (_, grads) = ProximityRegularizer(rho: 0.1)
            .evaluate(alphas: before, activation: activation,
                      space: net.configuration.space, clockOverEpochs: 0.5)
        for (p, g) in zip(alphas, grads) {
            p.grad.withUnsafeMutableBufferPointer { pg in for i in pg.indices { pg[i] += g.scalars[i] } }
        }
        Adam(lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: activation == .crb ? 0 : 1e-3).step(alphas)
        for (p, a0) in zip(alphas, before) {
            let expected = try f.file.read("\(f.group)/adam_step/\(p.name)").values
            // Adam's first step moves each entry by about lr·sign(g): compare updates, where a
            // sign error would show as a relative error near 2. Entries with g = 0 stay put.
            let update = zip(p.value.scalars, a0.scalars).map { $0 - $1 }
            let expectedUpdate = zip(expected, a0.scalars).map { $0 - Double($1) }
            let err = relativeNormError(update, expectedUpdate)
            #expect(err < 1e-2, "Adam update of \(p.name): relative error \(err)")
        }
    }
}
