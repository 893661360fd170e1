// The truncated-BPTT training stream: random lengths, contiguous batches, fixed passes, and
// resume from a saved state.
import DartsCore
import Foundation
import Testing
@testable import TextData

@Suite struct StreamTests {
    static func matrix(rows: Int, columns: Int = 3) throws -> TokenMatrix {
        try TokenMatrix(batchifying: Array(0..<(rows * columns)), columns: columns, source: "train")
    }

    /// bptt with probability 0.95, else ⌊bptt/2⌋: the fraction of short draws over 200 000 is
    /// within 5 standard deviations of 0.05, and the draws are a function of the seed.
    @Test func randomLengthStatistics() {
        var rng = PhiloxRandom(seed: 3, stream: 9)
        let n = 200_000
        var short = 0
        for _ in 0..<n {
            let l = SequenceLength.draw(bptt: 35, using: &rng)
            #expect(l == 35 || l == 17)
            if l == 17 { short += 1 }
        }
        let fraction = Double(short) / Double(n), sd = (0.05 * 0.95 / Double(n)).squareRoot()
        #expect(abs(fraction - 0.05) < 5 * sd, "short fraction \(fraction)")
        func draws(_ seed: UInt64) -> [Int] {
            var r = PhiloxRandom(seed: seed, stream: 9)
            return (0..<2000).map { _ in SequenceLength.draw(bptt: 35, using: &r) }
        }
        #expect(draws(11) == draws(11))
        #expect(draws(11) != draws(12))
        #expect(SequenceLength.learningRateScale(length: 17, bptt: 35) == 17.0 / 35.0)
        var odd = PhiloxRandom(seed: 1)
        #expect(Set((0..<500).map { _ in SequenceLength.draw(bptt: 7, using: &odd) }) == [7, 3])
    }

    /// A pass is ⌊rows/bptt⌋ batches, each starting where the last ended, lengths as drawn (the
    /// same draws as `SequenceLength.draw` on the same generator); the next pass restarts at row 0.
    @Test func passesAndCursor() throws {
        let m = try Self.matrix(rows: 103)
        let bptt = 10
        var stream = try TruncatedBPTTStream(data: m, bptt: bptt, random: PhiloxRandom(seed: 7, stream: 4))
        var lengths = PhiloxRandom(seed: 7, stream: 4)
        #expect(stream.batchesPerPass == 10)
        for pass in 1...30 {
            var row = 0
            for k in 0..<stream.batchesPerPass {
                let b = stream.next()
                let drawn = SequenceLength.draw(bptt: bptt, using: &lengths)
                #expect(b.pass == pass && b.batchInPass == k && b.startsPass == (k == 0))
                #expect(b.drawnLength == drawn && b.batch.row == row && b.learningRateScale == Double(drawn) / 10)
                #expect(b.batch.length == min(drawn, m.rows - 1 - row))
                #expect(b.batch == m.batch(at: row, length: drawn))
                row += drawn
            }
            #expect(stream.atPassBoundary)
        }
    }

    /// rows a multiple of bptt: the last batch of an all-full pass is cut by one row (its targets
    /// end at the last row) and still scales the learning rate by the drawn length.
    @Test func lastBatchCutAtTheEnd() throws {
        let m = try Self.matrix(rows: 20)
        var stream = try TruncatedBPTTStream(data: m, bptt: 10, random: PhiloxRandom(seed: 0))
        var sawCut = false
        for _ in 0..<200 {
            let a = stream.next(), b = stream.next()
            #expect(a.startsPass && !b.startsPass)
            if a.drawnLength == 10 && b.drawnLength == 10 {
                #expect(b.batch.row == 10 && b.batch.length == 9 && b.batch.targets.suffix(3) == [19, 39, 59])
                #expect(b.learningRateScale == 1)
                sawCut = true
            }
        }
        #expect(sawCut)
    }

    /// `restart()` ends the pass early; on a fresh stream or at a pass boundary it changes nothing.
    @Test func restartStartsAPassLazily() throws {
        let m = try Self.matrix(rows: 50)
        var a = try TruncatedBPTTStream(data: m, bptt: 5, random: PhiloxRandom(seed: 2))
        var b = a
        a.restart()
        #expect(a.state == b.state)
        _ = a.next(); _ = a.next(); _ = b.next(); _ = b.next()
        a.restart()
        let first = a.next()
        #expect(first.startsPass && first.pass == 2 && first.batch.row == 0)
        #expect(!b.next().startsPass)
    }

    /// Saved mid-pass (through JSON, as the checkpoint keeps it) and restored: the same next
    /// batches across the pass boundary. Negative control: another length generator differs.
    @Test func stateRoundTripMidPass() throws {
        let m = try Self.matrix(rows: 120, columns: 4)
        var stream = try TruncatedBPTTStream(data: m, bptt: 8, random: PhiloxRandom(seed: 41, stream: 3))
        for _ in 0..<9 { _ = stream.next() }
        let json = try JSONEncoder().encode(stream.state)
        let saved = try JSONDecoder().decode(TextStreamState.self, from: json)
        #expect(saved == stream.state && saved.batchInPass == 9 && saved.pass == 1)
        var restored = try TruncatedBPTTStream(data: m, bptt: 8, state: saved)
        let expected = (0..<40).map { _ in stream.next() }
        let got = (0..<40).map { _ in restored.next() }
        #expect(got == expected)
        #expect(expected.contains { $0.startsPass })
        var other = saved
        other.lengthRNG = PhiloxRandom(seed: 42, stream: 3)
        var wrong = try TruncatedBPTTStream(data: m, bptt: 8, state: other)
        #expect((0..<40).map { _ in wrong.next() } != expected)
    }

    /// A state that does not fit the stream is refused in one line saying why.
    @Test func invalidStatesRefused() throws {
        let m = try Self.matrix(rows: 60)
        var stream = try TruncatedBPTTStream(data: m, bptt: 6, random: PhiloxRandom(seed: 1))
        for _ in 0..<4 { _ = stream.next() }
        let good = stream.state
        #expect(textDataError { _ = try TruncatedBPTTStream(data: m, bptt: 6, state: good) } == nil)  // control
        func refused(_ change: (inout TextStreamState) -> Void, data: TokenMatrix? = nil, bptt: Int = 6, _ words: String) {
            var s = good
            change(&s)
            let e = textDataError { _ = try TruncatedBPTTStream(data: data ?? m, bptt: bptt, state: s) }
            expectError(e, names: "saved text stream state", mentions: [words]) {
                if case .invalidStreamState = $0 { true } else { false }
            }
        }
        refused({ _ in }, bptt: 5, "saved with bptt 6")
        refused({ _ in }, data: try Self.matrix(rows: 61), "60×3 token matrix")
        refused({ $0.cursor = 25 }, "cannot follow 4 batches")
        refused({ $0.cursor = 11 }, "cannot follow 4 batches")
        refused({ $0.batchInPass = 11 }, "outside 0...10")
        refused({ $0.pass = 0 }, "no pass has started")
        refused({ $0.pass = -1 }, "negative")
        refused({ $0.lengthRNG.lane = 9 }, "lane 9")
    }
}
