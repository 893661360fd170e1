// The corpus reader: dictionary order over train, valid and test, `<eos>` per line, line ends
// and whitespace as the reference's Python splits them, and the two layouts.
import Foundation
import Testing
@testable import TextData

@Suite struct CorpusTests {
    /// Indices follow first appearance over train, then valid, then test; `<eos>` joins the
    /// dictionary right after the first line's words.
    @Test func dictionaryOrderOverThreeFiles() throws {
        let dir = try TempFolder.corpus(train: "the cat sat\non the mat\n", valid: "a dog sat\n", test: "the end zebra\n")
        let c = try TextCorpus.load(directory: dir.url, layout: .standard)
        #expect(c.vocabulary.words == ["the", "cat", "sat", "<eos>", "on", "mat", "a", "dog", "end", "zebra"])
        #expect(c.vocabulary.endOfSentence == 3 && c.vocabulary.index(of: "zebra") == 9 && c.vocabulary.index(of: "cow") == nil)
        #expect(c.train.tokens == [0, 1, 2, 3, 4, 0, 5, 3])
        #expect(c.valid.tokens == [6, 7, 2, 3])
        #expect(c.test.tokens == [0, 8, 9, 3])
        #expect(c.train.path == dir.path(TextCorpus.trainFile) && c.test.path == dir.path(TextCorpus.testFile))
        #expect(c.fileNames == ["ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"])
        // Reading the same folder again gives the same corpus.
        let again = try TextCorpus.load(directory: dir.url, layout: .standard)
        #expect(again.vocabulary == c.vocabulary && again.train == c.train)
    }

    /// One `<eos>` per line: blank lines give a lone `<eos>`, a last line without newline counts,
    /// a trailing newline adds nothing; \r\n and a lone \r end lines as Python's universal newlines do.
    @Test func endOfSentencePerLine() throws {
        let cases: [(String, [String])] = [
            ("a b\n", ["a", "b", "<eos>"]),
            ("a b", ["a", "b", "<eos>"]),
            ("a\n\nb\n", ["a", "<eos>", "<eos>", "b", "<eos>"]),
            ("  a\t b  \n", ["a", "b", "<eos>"]),
            ("a\r\nb\rc\n", ["a", "<eos>", "b", "<eos>", "c", "<eos>"]),
            ("\n", ["<eos>"]),
            ("   ", ["<eos>"]),
            ("a\u{0B}b\u{0C}c\n", ["a", "b", "c", "<eos>"]),
        ]
        for (text, expected) in cases {
            let dir = try TempFolder.corpus(train: text, valid: "x\n", test: "y\n")
            let c = try TextCorpus.load(directory: dir.url, layout: .standard)
            #expect(c.train.tokens.map { c.vocabulary.words[$0] } == expected, "\(text.debugDescription)")
            #expect(NaiveTokenizer.words(text) == expected, "oracle on \(text.debugDescription)")
        }
    }

    /// Non-ASCII words stay whole; the Unicode spaces of Python's `str.split()` separate words.
    @Test func unicodeWordsAndSpaces() throws {
        let dir = try TempFolder.corpus(train: "café naïve\u{00A0}日本\u{3000}x\u{2028}y\n", valid: "é\n", test: "z\n")
        let c = try TextCorpus.load(directory: dir.url, layout: .standard)
        #expect(c.train.tokens.map { c.vocabulary.words[$0] } == ["café", "naïve", "日本", "x", "y", "<eos>"])
        #expect(c.valid.tokens.map { c.vocabulary.words[$0] } == ["é", "<eos>"])
    }

    /// Without a train file: valid trains, test validates and tests; the train file is not read
    /// even when present, and the dictionary covers only the two files read.
    @Test func validAsTrainLayout() throws {
        let dir = try TempFolder.corpus(train: "only in train\n", valid: "v w\n", test: "t v\n")
        let c = try TextCorpus.load(directory: dir.url, layout: .validAsTrain)
        #expect(c.vocabulary.words == ["v", "w", "<eos>", "t"])
        #expect(c.train.tokens == [0, 1, 2] && c.valid.tokens == [3, 0, 2] && c.test == c.valid)
        #expect(c.train.path == dir.path(TextCorpus.validFile) && c.valid.path == dir.path(TextCorpus.testFile))
        #expect(c.fileNames == ["ptb.valid.txt", "ptb.test.txt"])
        try FileManager.default.removeItem(atPath: dir.path(TextCorpus.trainFile))
        #expect(try TextCorpus.load(directory: dir.url, layout: .validAsTrain).vocabulary == c.vocabulary)
        // The standard layout does need it (control: the layout is chosen, never guessed).
        expectError(textDataError { _ = try TextCorpus.load(directory: dir.url, layout: .standard) },
                    names: TextCorpus.trainFile, mentions: ["not found"]) { if case .missingFile = $0 { true } else { false } }
        // A run's load names the layout that trains without it; another missing file stays plain.
        expectError(textDataError { _ = try TextCorpus.loadForRun(directory: dir.url, layout: .standard) },
                    names: TextCorpus.trainFile, mentions: ["not found", "--ptb-layout valid-as-train"]) {
            if case .missingTrainFile = $0 { true } else { false }
        }
        try FileManager.default.removeItem(atPath: dir.path(TextCorpus.testFile))
        expectError(textDataError { _ = try TextCorpus.loadForRun(directory: dir.url, layout: .validAsTrain) },
                    names: TextCorpus.testFile, mentions: ["not found"]) { if case .missingFile = $0 { true } else { false } }
        #expect(TextCorpus.Layout(rawValue: "valid-as-train") == .validAsTrain)
    }

    /// The byte tokenizer against the naive String one on a larger generated ASCII corpus (a
    /// million tokens, the size of the real train file), with a mix of line ends.
    @Test func millionTokensMatchTheNaiveTokenizer() throws {
        var rng = SplitMix(seed: 5)
        func text(words: Int) -> String {
            var s = "", line = 0
            s.reserveCapacity(words * 7)
            for k in 0..<words {
                let w = rng.next() % 12_000
                s += "w\(w)"
                line += 1
                if line > Int(rng.next() % 40) {
                    s += k % 97 == 0 ? "\r\n" : "\n"; line = 0
                } else {
                    s += k % 31 == 0 ? "\t" : " "
                }
            }
            return s
        }
        let train = text(words: 900_000), valid = text(words: 70_000), test = text(words: 80_000)
        let dir = try TempFolder.corpus(train: train, valid: valid, test: test)
        let started = Date()
        let c = try TextCorpus.load(directory: dir.url, layout: .standard)
        let seconds = Date().timeIntervalSince(started)
        let oracle = NaiveTokenizer.corpus([train, valid, test])
        #expect(c.vocabulary.words == oracle.words)
        #expect(c.train.tokens == oracle.tokens[0] && c.valid.tokens == oracle.tokens[1] && c.test.tokens == oracle.tokens[2])
        #expect(c.train.tokens.count > 900_000)
        print("TextCorpus.load: \(c.train.tokens.count + c.valid.tokens.count + c.test.tokens.count) tokens, "
              + "\(c.vocabulary.count) words in \(String(format: "%.3f", seconds)) s")
    }
}

/// A tiny deterministic generator for test text (independent of the code under test).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
