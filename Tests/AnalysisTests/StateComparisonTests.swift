// StateComparison: identical states compare identical (NaN payloads included); each planted
// difference is found once, of the right kind and size, in the canonical order of the state;
// fingerprints name the same keys without array values.

import Testing
import Foundation
import Analysis
import RunStore

@Suite struct StateComparisonTests {
    static func state(step: Int = 7) -> Checkpoint {
        Checkpoint(step: step,
                   arrays: ["model/b": .float32(shape: [2, 3], [1, 2, 3, 4, .nan, -0.0]),
                            "model/a": .float64(shape: [2], [0.5, -8]),
                            "data/indices": .int64(shape: [3], [5, 1, 9]),
                            "fimt/mask": .uint8(shape: [2], [0, 255])],
                   scalars: ["clock": 1.5, "tau": .nan],
                   integers: ["counters/step": 7],
                   strings: ["genotype": "Genotype(normal=[])"])
    }

    @Test func identicalStatesHaveNoDifferences() {
        let c = StateComparison(Self.state(), Self.state())
        #expect(c.isIdentical && c.differences.isEmpty && c.firstDifference == nil)
        #expect(c.keysCompared == 8)
        #expect(StateComparison(StateFingerprint(Self.state()), StateFingerprint(Self.state())).isIdentical)
        // Another step is not the same state, even with the same values.
        #expect(!StateComparison(Self.state(step: 7), Self.state(step: 8)).isIdentical)
    }

    @Test func plantedDifferencesAreFoundInCanonicalOrderWithTheirSizes() throws {
        var b = Self.state()
        b.arrays["model/b"] = .float32(shape: [2, 3], [1, 2.5, 3, 4, .nan, 0.0])   // 2.0→2.5 and -0→+0
        b.arrays["model/a"] = .float64(shape: [1, 2], [0.5, -8])                   // shape only
        b.arrays["data/indices"] = .float32(shape: [3], [5, 1, 9])                 // dtype only
        b.arrays["fimt/mask"] = nil                                                // only in A
        b.arrays["fimt/extra"] = .uint8(shape: [1], [1])                           // only in B
        b.scalars["clock"] = 1.25
        b.integers["counters/step"] = 9
        b.strings["genotype"] = "Genotype(reduce=[])"
        let c = StateComparison(Self.state(), b)
        #expect(!c.isIdentical)
        #expect(c.differences.map(\.path) == ["arrays/data/indices", "arrays/fimt/extra", "arrays/fimt/mask", "arrays/model/a",
                                              "arrays/model/b", "scalars/clock", "integers/counters/step", "strings/genotype"])
        #expect(c.differences.map(\.kind) == [.dtype, .onlyInB, .onlyInA, .shape, .values, .values, .values, .values])
        #expect(c.firstDifference?.path == "arrays/data/indices")
        let values = try #require(c.differences.first { $0.key == "model/b" })
        #expect(values.differingElements == 2 && values.elements == 6)
        #expect(values.maxAbsoluteDifference == 0.5)
        #expect(values.maxRelativeDifference == 0.2)          // 0.5 / max(2, 2.5)
        let clock = try #require(c.differences.first { $0.key == "clock" })
        #expect(clock.maxAbsoluteDifference == 0.25 && clock.maxRelativeDifference == 0.25 / 1.5)
        let step = try #require(c.differences.first { $0.key == "counters/step" })
        #expect(step.maxAbsoluteDifference == 2 && step.a == "7" && step.b == "9")
        #expect(c.differences.first { $0.key == "genotype" }?.b == "Genotype(reduce=[])")
        #expect("\(values)" == "arrays/model/b: 2 of 6 elements differ, max abs 0.5, max rel 0.2")
    }

    @Test func signedZeroAndNonFiniteValuesDiffer() throws {
        var b = Self.state()
        b.arrays["model/b"] = .float32(shape: [2, 3], [1, 2, 3, 4, .nan, 0.0])
        let zero = try #require(StateComparison(Self.state(), b).firstDifference)
        #expect(zero.differingElements == 1 && zero.maxAbsoluteDifference == 0 && zero.maxRelativeDifference == 0)
        b.arrays["model/b"] = .float32(shape: [2, 3], [1, 2, 3, 4, 5, -0.0])
        let nan = try #require(StateComparison(Self.state(), b).firstDifference)
        #expect(nan.maxAbsoluteDifference == .infinity && nan.differingElements == 1)
    }

    @Test func fingerprintsNameTheSameKeysWithoutArrayValues() throws {
        var b = Self.state()
        b.arrays["model/b"] = .float32(shape: [2, 3], [1, 2.5, 3, 4, .nan, -0.0])
        b.arrays["model/a"] = .float64(shape: [1, 2], [0.5, -8])
        b.scalars["clock"] = 1.25
        b.strings["genotype"] = "other"
        let full = StateComparison(Self.state(), b)
        let digests = StateComparison(StateFingerprint(Self.state()), StateFingerprint(b))
        #expect(digests.differences.map(\.path) == full.differences.map(\.path))
        #expect(digests.differences.map(\.kind) == full.differences.map(\.kind))
        let array = try #require(digests.differences.first { $0.key == "model/b" })
        #expect(array.maxAbsoluteDifference == nil && array.differingElements == nil)
        #expect("\(array)" == "arrays/model/b: digests differ")
        // Scalars are exact in a fingerprint, so their difference is still known.
        #expect(digests.differences.first { $0.key == "clock" }?.maxAbsoluteDifference == 0.25)
        // A fingerprint holds what the whole-state digest lists.
        let f = StateFingerprint(Self.state())
        #expect(f.arrays["model/b"]?.digest == StateDigest.tensor(Self.state().arrays["model/b"]!))
        #expect(f.strings["genotype"] == StateDigest.string("Genotype(normal=[])"))
    }
}
