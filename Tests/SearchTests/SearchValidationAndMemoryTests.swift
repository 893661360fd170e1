// Every numeric setting of a search is range-checked by `validate()` (so run.json never holds
// "nan"), and the memory estimate that refuses a supernet too big for the machine stays within
// 1.5× of the peaks docs/BENCHMARKS.md measured, with its weight term near the real count.

import Foundation
import Testing
import DartsCore
import Training
@testable import Search

@Suite struct SearchValidationAndMemoryTests {
    /// One out-of-range value per flag (SPEC §2–5 give the ranges); each must be refused naming it.
    static let bad: [(String, @Sendable (inout SearchConfiguration) -> Void)] = [
        ("--lr", { $0.learningRate = .nan }), ("--lr", { $0.learningRate = 0 }), ("--lr", { $0.learningRate = 1e39 }),
        ("--lr-min", { $0.learningRateMin = -1e-3 }), ("--lr-min", { $0.learningRateMin = .infinity }),
        ("--momentum", { $0.momentum = 1 }), ("--momentum", { $0.momentum = -0.1 }),
        ("--weight-decay", { $0.weightDecay = -1 }), ("--grad-clip", { $0.gradientClip = 0 }),
        ("--arch-lr", { $0.archLearningRate = -3e-4 }), ("--arch-beta1", { $0.archBeta1 = 1 }),
        ("--arch-beta2", { $0.archBeta2 = .nan }), ("--arch-eps", { $0.archEpsilon = 0 }),
        ("--arch-eps", { $0.archEpsilon = 1e-50 }), ("--arch-weight-decay", { $0.archWeightDecay = -1 }),
        ("--step-ratio", { $0.stepRatio = 0 }), ("--tau0", { $0.fimtTau0 = 0 }),
        ("--gamma-inc", { $0.fimtGammaIncrease = 0.99 }), ("--fimt-beta", { $0.fimtBeta = 0 }),
        ("--fimt-beta", { $0.fimtBeta = 1.5 }), ("--train-fraction", { $0.trainFraction = 1 }),
        ("--rho", { $0.rho = -0.1 }), ("--rho", { $0.rho = .nan }), ("--admm-freq", { $0.admmFrequency = 0 }),
        ("--admm-discount", { $0.admmDiscount = 1.5 }), ("--epochs", { $0.epochs = 0 }),
        ("--batch-size", { $0.batchSize = -1 }), ("--eval-batch-size", { $0.evaluationBatchSize = 0 }),
        ("--init-channels", { $0.initChannels = 0 }), ("--layers", { $0.layers = 2 }), ("--subset", { $0.subset = 1 }),
        ("--keep-last", { $0.keepLast = 0 }), ("--keep-every", { $0.keepEvery = -2 }),
    ]

    @Test(arguments: 0..<bad.count)
    func everyNumericFlagIsRangeChecked(_ i: Int) {
        let (flag, set) = Self.bad[i]
        var c = SearchConfiguration.preset(.tiny)
        #expect(throws: Never.self) { try c.validate() }  // control: the preset itself is valid
        set(&c)
        do {
            try c.validate()
            Issue.record("\(flag): accepted \(c)")
        } catch {
            #expect("\(error)".contains(flag + " must be"), "\(flag): \(error)")
        }
    }

    @Test func edgesOfTheRangesAreAccepted() throws {
        var c = SearchConfiguration.preset(.tiny)
        c.momentum = 0; c.weightDecay = 0; c.learningRateMin = 0; c.rho = 0; c.fimtGammaIncrease = 1
        c.fimtBeta = 1; c.admmDiscount = 0; c.keepEvery = 0; c.keepLast = 1; c.admmFrequency = 1
        try c.validate()
        #expect(!(try StateJSON.encode(c)).contains("nan"))
    }

    /// Peak RSS of `bench step` (α + weight step, synthetic data), docs/BENCHMARKS.md.
    static let measured: [(c: Int, l: Int, b: Int, megabytes: Double)] = [(16, 8, 64, 4294), (8, 5, 32, 662)]

    @Test func estimateIsWithinOneAndAHalfOfTheMeasuredPeaks() {
        for m in Self.measured {
            var c = SearchConfiguration()
            c.initChannels = m.c; c.layers = m.l; c.batchSize = m.b
            let ratio = c.estimatedModelBytes / (m.megabytes * 1e6)
            #expect(ratio > 1 / 1.5 && ratio < 1.5, "C \(m.c) L \(m.l) batch \(m.b): estimate/measured = \(ratio)")
        }
    }

    @Test func weightTermIsNearTheRealParameterCount() {
        var rng = PhiloxRandom(seed: 1)
        for (channels, layers) in [(16, 8), (8, 5)] {
            let net = Supernet(SupernetConfiguration(channels: channels, layers: layers, classes: 10, inputChannels: 3, activation: .softmax), rng: &rng)
            let real = Double(net.weights.reduce(0) { $0 + $1.value.count })
            let estimate = SearchConfiguration.estimatedWeights(CellLayoutSums(channels: channels, layers: layers))
            #expect(estimate / real > 1 / 1.5 && estimate / real < 1.5, "C \(channels) L \(layers): \(estimate) vs \(real)")
        }
    }

    @Test func tooBigForTheMachineIsRefusedWithTheEstimate() throws {
        var wide = SearchConfiguration.preset(.paper)
        wide.initChannels = 100_000
        do {
            try wide.validateFitsMemory(available: 24e9)
            Issue.record("a 100 000-channel supernet was accepted")
        } catch {
            let m = "\(error)"
            #expect(m.contains("--init-channels 100000") && m.contains("estimated") && m.contains("TB") && m.contains("24.0 GB"), "\(m)")
        }
        var deep = SearchConfiguration.preset(.paper)
        deep.layers = 1_000_000_000_000  // closed form: no loop over the cells
        #expect(throws: TrainingError.self) { try deep.validateFitsMemory(available: 24e9) }
        // Controls: the paper's size fits a 24 GB machine; an unknown machine size refuses nothing.
        try SearchConfiguration.preset(.paper).validateFitsMemory(available: 24e9)
        try wide.validateFitsMemory(available: nil)
        #expect(MachineMemory.availableBytes().map { $0 > 1e8 } == true)
    }
}
