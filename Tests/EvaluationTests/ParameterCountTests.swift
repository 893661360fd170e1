// Parameter counts of the evaluation network: DARTS_V2 at the paper's size has the DARTS
// paper's 3.3 M (SPEC §6 reports the count without the auxiliary head).

import Testing
import DartsCore
import Architecture
import FixtureSupport
@testable import Evaluation

@Suite("Evaluation network parameter counts")
struct ParameterCountTests {
    @Test("DARTS_V2, C 36, L 20, 10 classes: 3 349 342 without the auxiliary head, 3 825 768 with it")
    func dartsV2PaperSize() throws {
        var rng = PhiloxRandom(seed: 0)
        let net = EvaluationNetwork(EvaluationConfiguration(genotype: .dartsV2, channels: 36, layers: 20, classes: 10),
                                    rng: &rng)
        #expect(net.parameterCount(includingAuxiliary: false) == 3_349_342)
        #expect(net.parameterCount(includingAuxiliary: true) == 3_825_768)
        // The same figures as the fixture's root attributes (PyTorch's count of NetworkCIFAR).
        let f = try EvaluationFixture()
        #expect(net.parameterCount(includingAuxiliary: false) == (try f.file.integerAttribute("params_C36_L20_without_auxiliary")))
        #expect(net.parameterCount(includingAuxiliary: true) == (try f.file.integerAttribute("params_C36_L20_total")))
    }

    @Test("without the head the count is the same as excluding it, and no auxiliary tensor exists")
    func withoutHead() {
        var rng = PhiloxRandom(seed: 0)
        let config = EvaluationConfiguration(genotype: .dartsV2, channels: 4, layers: 5, classes: 10, auxiliary: false)
        let net = EvaluationNetwork(config, rng: &rng)
        var rng2 = PhiloxRandom(seed: 0)
        var withHead = config
        withHead.auxiliary = true
        let full = EvaluationNetwork(withHead, rng: &rng2)
        #expect(net.parameterCount(includingAuxiliary: true) == net.parameterCount(includingAuxiliary: false))
        #expect(net.parameterCount(includingAuxiliary: false) == full.parameterCount(includingAuxiliary: false))
        #expect(net.auxiliaryWeights.isEmpty && !net.namedTensors.contains { $0.name.hasPrefix("auxiliary_head") })
        #expect(!net.batchNormPrefixes.contains { $0.hasPrefix("auxiliary_head") })
        #expect(full.batchNormPrefixes.filter { $0.hasPrefix("auxiliary_head") } == ["auxiliary_head.features.3", "auxiliary_head.features.6"])
    }
}
