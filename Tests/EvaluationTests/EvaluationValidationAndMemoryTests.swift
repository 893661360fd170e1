// Every numeric setting of an evaluation is range-checked by `validate()`, and its memory
// estimate stays within 1.5× of the peaks docs/BENCHMARKS.md measured for `bench eval`.

import Foundation
import Testing
import DartsCore
import Architecture
import Training
@testable import Evaluation

@Suite struct EvaluationValidationAndMemoryTests {
    static let bad: [(String, @Sendable (inout EvaluationRunConfiguration) -> Void)] = [
        ("--lr", { $0.learningRate = .nan }), ("--lr-min", { $0.learningRateMin = -1 }),
        ("--momentum", { $0.momentum = 1 }), ("--weight-decay", { $0.weightDecay = .infinity }),
        ("--grad-clip", { $0.gradientClip = -5 }), ("--drop-path", { $0.dropPath = 1 }),
        ("--drop-path", { $0.dropPath = .nan }), ("--auxiliary-weight", { $0.auxiliaryWeight = -0.4 }),
        ("--cutout", { $0.cutout = -1 }), ("--epochs", { $0.epochs = 0 }), ("--batch-size", { $0.batchSize = 0 }),
        ("--eval-batch-size", { $0.evaluationBatchSize = -1 }), ("--init-channels", { $0.initChannels = 3 }),
        ("--layers", { $0.layers = 2 }), ("--subset", { $0.subset = 0 }), ("--test-subset", { $0.testSubset = -1 }),
        ("--keep-last", { $0.keepLast = -1 }), ("--keep-every", { $0.keepEvery = -1 }),
    ]

    @Test(arguments: 0..<bad.count)
    func everyNumericFlagIsRangeChecked(_ i: Int) {
        let (flag, set) = Self.bad[i]
        var c = EvaluationRunConfiguration.preset(.tiny)
        #expect(throws: Never.self) { try c.validate() }  // control
        set(&c)
        do {
            try c.validate()
            Issue.record("\(flag): accepted")
        } catch {
            #expect("\(error)".contains(flag + " must be"), "\(flag): \(error)")
        }
    }

    /// Peak RSS of `bench eval` (DARTS_V2, synthetic data), docs/BENCHMARKS.md.
    static let measured: [(c: Int, l: Int, b: Int, megabytes: Double)] = [(16, 8, 64, 661), (36, 20, 96, 4248)]

    @Test func estimateIsWithinOneAndAHalfOfTheMeasuredPeaks() {
        for m in Self.measured {
            var c = EvaluationRunConfiguration()
            c.initChannels = m.c; c.layers = m.l; c.batchSize = m.b
            let ratio = c.estimatedModelBytes / (m.megabytes * 1e6)
            #expect(ratio > 1 / 1.5 && ratio < 1.5, "C \(m.c) L \(m.l) batch \(m.b): estimate/measured = \(ratio)")
        }
    }

    @Test func weightTermIsNearTheRealParameterCount() {
        var rng = PhiloxRandom(seed: 0)
        let net = EvaluationNetwork(EvaluationConfiguration(genotype: .dartsV2, channels: 36, layers: 20, classes: 10), rng: &rng)
        let real = Double(net.parameterCount(includingAuxiliary: true))
        let estimate = EvaluationRunConfiguration.estimatedWeights(CellLayoutSums(channels: 36, layers: 20))
        #expect(estimate / real > 1 / 1.5 && estimate / real < 1.5, "\(estimate) vs \(real)")
    }

    @Test func tooBigForTheMachineIsRefusedWithTheEstimate() throws {
        var c = EvaluationRunConfiguration.preset(.paper)
        c.initChannels = 100_000
        #expect(throws: TrainingError.self) { try c.validateFitsMemory(available: 24e9) }
        try EvaluationRunConfiguration.preset(.paper).validateFitsMemory(available: 24e9)  // control
    }
}
