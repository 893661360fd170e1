// The evaluation network fixture (../shared/fixtures/evalnet_darts_v2_c4l5.h5, PyTorch float64,
// ../shared/ref/make_eval_fixture.py): DARTS_V2 at C=4, L=5, 10 classes, auxiliary head, batch
// 2 of 3×32×32, training mode, no drop path.

import DartsCore
import Architecture
import FixtureSupport
@testable import Evaluation

struct EvaluationFixture {
    static let name = "evalnet_darts_v2_c4l5.h5"
    static let configuration = EvaluationConfiguration(genotype: .dartsV2, channels: 4, layers: 5, classes: 10,
                                                       inputChannels: 3, auxiliary: true)
    let file: FixtureFile

    init() throws { file = try FixtureFile(Self.name) }

    /// The fixture's network: built from any generator, then every tensor set from `before/`.
    /// Throws when a tensor is missing; a shape mismatch is recorded as a test failure.
    func model() throws -> (EvaluationNetwork, shapeMismatches: [String]) {
        var rng = PhiloxRandom(seed: 1)
        let net = EvaluationNetwork(Self.configuration, rng: &rng)
        var mismatches: [String] = []
        for p in net.namedTensors {
            let (shape, values) = try file.read("before/\(p.name)")
            if shape != p.shape { mismatches.append("\(p.name): fixture \(shape), network \(p.shape)"); continue }
            p.value = Tensor(shape: p.shape, scalars: values.map { Float($0) })
        }
        return (net, mismatches)
    }

    func input() throws -> (Tensor, [Int]) {
        let (shape, x) = try file.read("input")
        let y = try file.read("target").values.map { Int($0) }
        return (Tensor(shape: shape, scalars: x.map { Float($0) }), y)
    }
}
