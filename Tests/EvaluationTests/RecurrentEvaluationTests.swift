// The recurrent evaluation's pieces apart from its gradients: embedding dropout drops whole
// words (with a per-element mask as the negative control), the averaged-SGD switch follows
// DARTS's non-monotone rule, the average is the hand mean, and a run restored from a
// checkpoint continues bit-exactly (each piece of state shown to matter by leaving it out).

import Foundation
import Testing
@testable import DartsCore
import DartsNN
import Architecture
import TextData
import Training
import RunStore
@testable import Evaluation

struct EmbeddingDropoutTests {
    /// Rows of the looked-up embedding that are all zero, and whether every other row is its
    /// table row scaled by exactly 1/keep, for a table mask `mask` and tokens repeating words.
    func lookup(_ mask: Tensor, table: Tensor, tokens: [Int]) -> (zeroRows: Set<Int>, survivorsScaled: Bool, partialRows: Int) {
        let tape = Tape(recording: false)
        let rows = tape.value(tape.embedding(tape.dropout(tape.constant(table), mask: mask), indices: tokens))
        let d = table.shape[1]
        var zero = Set<Int>(), scaled = true, partial = 0
        for (r, w) in tokens.enumerated() {
            let values = (0..<d).map { rows[flat: r * d + $0] }
            let zeros = values.filter { $0 == 0 }.count
            if zeros == d { zero.insert(w) } else if zeros > 0 { partial += 1 }
            if zeros == 0 { scaled = scaled && (0..<d).allSatisfy { values[$0] == table[flat: w * d + $0] * Float(1 / 0.9) } }
        }
        return (zero, scaled, partial)
    }

    @Test func wholeWordsDroppedAndSurvivorsScaled() {
        let (v, d) = (20_000, 6)
        var rng = PhiloxRandom(seed: 41)
        let words = RecurrentDropout.wordMask(vocabulary: v, drop: 0.1, rng: &rng)
        // Dropped fraction within 4σ of 0.1 (σ = √(0.09/V) ≈ 0.0021); every survivor exactly 1/0.9.
        let dropped = Double(words.filter { $0 == 0 }.count) / Double(v)
        #expect(abs(dropped - 0.1) < 4 * (0.09 / Double(v)).squareRoot(), "dropped \(dropped)")
        #expect(words.allSatisfy { $0 == 0 || $0 == Float(1 / 0.9) })

        // Looked up through the model's path: a dropped word's row is zero wherever it occurs.
        let table = Tensor(shape: [v, d], scalars: rng.uniform(count: v * d, low: 0.1, high: 1))
        let tokens = (0..<3000).map { ($0 * 37) % 500 }  // 500 words, each six times
        let r = lookup(RecurrentDropout.tableMask(words: words, dimension: d), table: table, tokens: tokens)
        #expect(r.zeroRows == Set((0..<500).filter { words[$0] == 0 }) && !r.zeroRows.isEmpty)
        #expect(r.survivorsScaled && r.partialRows == 0)

        // Negative control: element-wise dropout of the same rate leaves partly zeroed rows, and
        // the check above notices.
        let elementwise = RecurrentDropout.mask(rows: v, columns: d, drop: 0.1, rng: &rng)
        #expect(lookup(elementwise, table: table, tokens: tokens).partialRows > 0)
    }

    @Test func lockedMasksRepeatOverTime() {
        var rng = PhiloxRandom(seed: 2)
        let m = RecurrentDropout.mask(rows: 3, columns: 4, drop: 0.5, rng: &rng)
        let t = RecurrentDropout.overTime(m, steps: 5)
        #expect(t.shape == [15, 4])
        #expect((0..<60).allSatisfy { t[flat: $0] == m[flat: $0 % 12] })
        #expect(m.scalars.allSatisfy { $0 == 0 || $0 == 2 })
    }
}

struct AveragedSGDTests {
    /// DARTS's rule transcribed: `len(h) > nonmono and loss > min(h[:-nonmono])`.
    func darts(_ history: [Double], _ loss: Double, _ nonmono: Int) -> Bool {
        history.count > nonmono && loss > history[..<(history.count - nonmono)].min()!
    }

    @Test func switchesWhenValidationStopsImprovingForTheWindow() {
        var s = AveragedSGDSwitch(window: 2)
        // Epochs 1–4 improve or stay within the window's best; epoch 5 is worse than min(h[:-2]).
        let losses = [10.0, 9, 8, 8.5, 9.5, 7]
        var switched: [Bool] = []
        for (i, l) in losses.enumerated() {
            let expected = !s.averaging && darts(s.history, l, 2)
            let now = s.endEpoch(i + 1, validationLoss: l)
            #expect(now == expected, "epoch \(i + 1)")
            switched.append(now)
        }
        #expect(switched == [false, false, false, false, true, false])
        #expect(s.averaging && s.switchedAfterEpoch == 5)
        #expect(s.history == [10, 9, 8, 8.5, 9.5])  // nothing recorded once averaging

        // The same losses with DARTS's window 5 never switch; a forced epoch does.
        var five = AveragedSGDSwitch(window: 5)
        for (i, l) in losses.enumerated() {
            let now = five.endEpoch(i + 1, validationLoss: l)
            #expect(!now)
        }
        var forced = AveragedSGDSwitch(window: 5, forcedEpoch: 2)
        let first = forced.endEpoch(1, validationLoss: 3), second = forced.endEpoch(2, validationLoss: 2)
        #expect(!first && second && forced.switchedAfterEpoch == 2)
    }

    @Test func averageIsTheHandMeanAndSwapsBack() {
        let p = Parameter(name: "w", value: Tensor(shape: [4], scalars: [0, 0, 0, 0]))
        let q = Parameter(name: "v", value: Tensor(shape: [2], scalars: [0, 0]))
        let average = WeightAverage()
        var rng = PhiloxRandom(seed: 8)
        var sums = [Double](repeating: 0, count: 6)
        for _ in 0..<7 {
            p.value = Tensor(shape: [4], scalars: rng.uniform(count: 4, low: -2, high: 2))
            q.value = Tensor(shape: [2], scalars: rng.uniform(count: 2, low: -2, high: 2))
            for i in 0..<4 { sums[i] += Double(p.value[flat: i]) }
            for i in 0..<2 { sums[4 + i] += Double(q.value[flat: i]) }
            average.update([p, q])
        }
        #expect(average.count == 7)
        let ax = average.averages["w"]!.scalars + average.averages["v"]!.scalars
        for i in 0..<6 { #expect(abs(Double(ax[i]) - sums[i] / 7) < 1e-6, "element \(i): \(ax[i]) vs \(sums[i] / 7)") }
        // Integers average exactly: 1, 2, 3 → 2.
        let e = WeightAverage()
        let one = Parameter(name: "e", value: Tensor(shape: [1], scalars: [1]))
        for k in 1...3 { one.value = Tensor(shape: [1], scalars: [Float(k)]); e.update([one]) }
        #expect(e.averages["e"]!.scalars == [2])
        // Evaluation reads the mean; the trained values come back bit for bit.
        let trained = p.value.scalars
        let seen = average.withAverages([p, q]) { p.value.scalars }
        #expect(seen == average.averages["w"]!.scalars && p.value.scalars == trained)
    }
}

/// The real valid and test files (../shared/data/ptb), as the E2E tests use them.
let ptbFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/ptb")
let ptbPresent = TextCorpus.fileNames(.validAsTrain).allSatisfy {
    FileManager.default.fileExists(atPath: ptbFolder.appendingPathComponent($0).path)
}

@Suite(.enabled(if: ptbPresent, "../shared/data/ptb is not there"))
struct RecurrentEvaluationResumeTests {
    static func configuration() -> RecurrentEvaluationConfiguration {
        var c = RecurrentEvaluationConfiguration.preset(.tiny)
        c.genotype = Genotype.recurrentDartsV2.description
        c.dataDirectory = ptbFolder.path
        c.layout = .validAsTrain
        c.trainTokens = 800; c.validTokens = 200; c.testTokens = 60
        c.epochs = 3; c.asgdEpoch = 1  // averaging from epoch 2 on, so its state is exercised
        return c
    }

    /// Every stored array and scalar of `kind`'s state.
    static func state(_ kind: RecurrentEvaluation) throws -> Checkpoint {
        try Trainer(kind).checkpoint(StepOutput())
    }

    @Test func restoredRunContinuesBitExactlyAndEveryEntryMatters() throws {
        let c = Self.configuration()
        let corpus = try RecurrentEvaluation.loadCorpus(c)
        let straight = try RecurrentEvaluation(configuration: c, corpus: corpus)
        let trainer = Trainer(straight)
        let nb = straight.batchesPerEpoch
        #expect(nb == 10)
        let cut = nb + 3  // mid-epoch, after the switch to averaging
        for _ in 0..<cut { _ = try trainer.step() }
        let saved = try Self.state(straight)
        #expect(straight.asgd.averaging && straight.average.count == 3)
        for _ in cut..<(2 * nb + 2) { _ = try trainer.step() }
        let reference = try Self.state(straight)

        func continued(skipping: Set<String>) throws -> Checkpoint {
            let kind = try RecurrentEvaluation(configuration: c, corpus: corpus)
            let t = Trainer(kind)
            try t.restore(from: saved, skipping: skipping)
            for _ in cut..<(2 * nb + 2) { _ = try t.step() }
            return try Self.state(kind)
        }
        #expect(try continued(skipping: []) == reference)
        for entry in ["hidden", "rng/masks", "optimizer/asgd", "data/train_stream", "model"] {
            #expect(try continued(skipping: [entry]) != reference, "leaving out \(entry) changes nothing")
        }
    }

    @Test func validationReadsTheAveragedWeights() throws {
        var c = Self.configuration()
        c.epochs = 2
        let kind = try RecurrentEvaluation(configuration: c, corpus: try RecurrentEvaluation.loadCorpus(c))
        let trainer = Trainer(kind)
        for _ in 0..<(kind.batchesPerEpoch + 2) { _ = try trainer.step() }
        let averaged = kind.evaluate(kind.validation)
        let trained = kind.model.meanNLL(kind.validation)
        for p in kind.model.weights { p.value = kind.average.averages[p.name]! }
        #expect(averaged == kind.model.meanNLL(kind.validation) && averaged != trained)
    }
}

struct RecurrentEvaluationMemoryTests {
    @Test func estimateNearTheMeasuredPeakAndRefusesWhatCannotFit() throws {
        // Measured: 327 MB peak RSS for the cpu profile on valid-as-train (V 7 596).
        let cpu = RecurrentEvaluationConfiguration.preset(.cpu).estimatedPeakBytes(vocabulary: 7596)
        #expect(cpu > 327e6 / 1.5 && cpu < 327e6 * 1.5, "\(cpu)")
        let paper = RecurrentEvaluationConfiguration.preset(.paper)
        #expect(throws: TrainingError.self) { try paper.validateFitsMemory(vocabulary: 10_000, available: 1e9) }
        try paper.validateFitsMemory(vocabulary: 10_000, available: 1e12)
    }
}
