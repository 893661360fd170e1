// RunDiff on stores written directly: a copy equals its original; a value planted at step 6
// is found at step 6 and its key (or at the first later step both keep, when retention dropped
// step 6); a shorter run is identical only over the common steps; configuration differences
// are listed field by field.

import Testing
import Foundation
import Analysis
import RunStore
import TestSupport

@Suite struct RunDiffTests {
    static func state(_ step: Int) -> Checkpoint {
        Checkpoint(step: step,
                   arrays: ["model/w": .float32(shape: [2, 2], [Float(step), 1, 2, 3]),
                            "model/alphas": .float32(shape: [3], [0.5, 0.25, Float(step) / 8])],
                   scalars: ["clock": Double(step) / 4], integers: ["counters/step": Int64(step)])
    }

    /// A run of `steps` steps; `plant` may change a step's state before it is committed.
    static func run(_ url: URL, steps: Int, configuration: String = #"{"lr":0.1,"net":{"C":4}}"#,
                    retention: RetentionPolicy = .init(keepLast: 100, keepEpochEnds: false, everyNth: 0),
                    plant: (inout Checkpoint) -> Void = { _ in }) throws {
        let store = try RunStore.create(at: url, configurationJSON: configuration, environment: ["cpu_model": "test"],
                                        retention: retention)
        defer { store.close() }
        for step in 1...steps {
            var c = state(step)
            plant(&c)
            try store.commit(c, history: HistoryRow(step: step, values: ["loss": 1 / Double(step)]), epochEnd: false)
        }
    }

    @Test func copiesAreIdenticalAndAPlantedValueIsFoundAtItsStepAndKey() throws {
        let dir = TinySearch.temporaryDirectory("rundiff")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a"), same = dir.appendingPathComponent("same"), b = dir.appendingPathComponent("b")
        try Self.run(a, steps: 10)
        try Self.run(same, steps: 10)
        try Self.run(b, steps: 10) { c in if c.step == 6 { c.arrays["model/w"] = .float32(shape: [2, 2], [6, 1, 2.25, 3]) } }

        let identical = try RunDiff(a, same)
        #expect(identical.isIdentical && identical.firstDivergingStep == nil && identical.commonSteps == 10)
        #expect(identical.configurationDifferences.isEmpty && identical.environmentDifferences.isEmpty)
        #expect(identical.summary == "identical: 10 steps with the same state digests")

        let d = try RunDiff(a, b)
        #expect(!d.isIdentical)
        #expect(d.firstDivergingStep == 6 && d.comparedStep == 6)
        #expect(d.comparison?.differences.map(\.path) == ["arrays/model/w"])
        #expect(d.comparison?.firstDifference?.maxAbsoluteDifference == 0.25)
        #expect(d.comparison?.firstDifference?.differingElements == 1)
        #expect(d.summary == "different: first diverging step 6, first differing key arrays/model/w")
    }

    @Test func prunedDivergingStepIsComparedAtTheFirstLaterStepBothKeep() throws {
        let dir = TinySearch.temporaryDirectory("rundiff-pruned")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        let sparse = RetentionPolicy(keepLast: 1, keepEpochEnds: false, everyNth: 4)
        try Self.run(a, steps: 10, retention: sparse)
        try Self.run(b, steps: 10, retention: sparse) { c in if c.step >= 6 { c.scalars["clock"] = -1 } }
        let d = try RunDiff(a, b)
        #expect(d.firstDivergingStep == 6)
        #expect(d.comparedStep == 8)
        #expect(d.comparison?.differences.map(\.path) == ["scalars/clock"])
    }

    @Test func shorterRunsAndConfigurationChangesAreReported() throws {
        let dir = TinySearch.temporaryDirectory("rundiff-short")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a"), short = dir.appendingPathComponent("short")
        try Self.run(a, steps: 10)
        try Self.run(short, steps: 7, configuration: #"{"lr":0.2,"net":{"C":4},"extra":true}"#)
        let d = try RunDiff(a, short)
        #expect(!d.isIdentical && d.firstDivergingStep == nil && d.comparison == nil && d.commonSteps == 7)
        #expect(d.summary == "different: A has steps up to 10, B up to 7, identical over the 7 common steps")
        #expect(d.configurationDifferences == [FieldDifference(name: "extra", a: nil, b: "true"),
                                               FieldDifference(name: "lr", a: "0.1", b: "0.2")])
    }
}
