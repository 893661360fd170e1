// The state codec: one entry list writes and reads the same keys under each entry's prefix;
// a missing key is a one-sentence error naming the key and the step.

import Testing
import DartsCore
import DartsNN
import RunStore
@testable import Training

@Suite struct StateCodecTests {
    @Test func entriesWriteUnderTheirPrefixAndReadBack() throws {
        let run = ToyRun(ToyConfiguration())
        for _ in 0..<3 { _ = try run.iterate() }
        var writer = StateWriter(step: 3)
        try StateCodec.save(run.stateEntries, into: &writer)
        let c = writer.checkpoint
        #expect(Set(c.arrays.keys) == ["model/w", "optimizer/sgd/momentum/w", "rng/noise"])
        #expect(Set(c.scalars.keys) == ["optimizer/sgd/lr"])
        #expect(Set(c.strings.keys) == ["total", "counters"])

        let copy = ToyRun(ToyConfiguration())
        try StateCodec.restore(copy.stateEntries, from: c)
        #expect(copy.weight.value == run.weight.value)
        #expect(copy.noise == run.noise)
        #expect(copy.total.bitPattern == run.total.bitPattern)
        #expect(copy.sgd.momentumBuffers == run.sgd.momentumBuffers)
        // Same state, same next step.
        #expect(try copy.iterate().loss.bitPattern == run.iterate().loss.bitPattern)
    }

    @Test func skippedEntriesStayAsTheyAre() throws {
        let run = ToyRun(ToyConfiguration())
        _ = try run.iterate()
        var writer = StateWriter(step: 1)
        try StateCodec.save(run.stateEntries, into: &writer)
        let fresh = ToyRun(ToyConfiguration())
        try StateCodec.restore(fresh.stateEntries, from: writer.checkpoint, skipping: ["rng/noise"])
        #expect(fresh.weight.value == run.weight.value)
        #expect(fresh.noise == PhiloxRandom(seed: 5, stream: 9))
    }

    @Test func missingAndMistypedEntriesNameTheKey() throws {
        let run = ToyRun(ToyConfiguration())
        var writer = StateWriter(step: 7)
        try StateCodec.save(run.stateEntries, into: &writer)
        var c = writer.checkpoint
        c.arrays["model/w"] = nil
        #expect(throws: TrainingError.incompatibleCheckpoint("checkpoint of step 7 has no tensor model/w")) {
            try StateCodec.restore(run.stateEntries, from: c)
        }
        c = writer.checkpoint
        c.arrays["model/w"] = StoredArray(shape: [3], data: .float32([1, 2, 3]))
        #expect(throws: TrainingError.incompatibleCheckpoint("checkpoint tensor model/w has shape [3], the model expects [2]")) {
            try StateCodec.restore(run.stateEntries, from: c)
        }
        c = writer.checkpoint
        c.strings["total"] = "{"
        #expect { try StateCodec.restore(run.stateEntries, from: c) } throws: { "\($0)".contains("checkpoint entry total cannot be decoded") }
    }

    @Test func nestedScopesJoinKeysWithSlashes() throws {
        var w = StateWriter()
        w.scoped("a") { a in
            a.integer("x", 1)
            a.scoped("b") { b in b.string("", "at b") }
        }
        #expect(w.checkpoint.integers == ["a/x": 1])
        #expect(w.checkpoint.strings == ["a/b": "at b"])
        let r = StateReader(w.checkpoint).scoped("a")
        #expect(try r.integer("x") == 1)
        #expect(try r.scoped("b").string("") == "at b")
    }
}
