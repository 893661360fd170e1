// Every kind of bad corpus input gives a TextDataError whose one-line message names the file
// and the problem; an intact folder (the control) loads.
import Foundation
import Testing
@testable import TextData

@Suite struct ValidationTests {
    static let good = "the cat\nsat on\n"

    func load(_ dir: TempFolder, _ layout: TextCorpus.Layout = .standard) -> TextDataError? {
        textDataError { _ = try TextCorpus.load(directory: dir.url, layout: layout) }
    }

    /// A corpus folder with `valid` as the valid file's bytes (the others intact).
    func folder(valid: [UInt8]) throws -> TempFolder {
        let dir = try TempFolder.corpus(train: Self.good, valid: Self.good, test: Self.good)
        try dir.write(TextCorpus.validFile, valid)
        return dir
    }

    @Test func missingFolderAndFiles() throws {
        let dir = try TempFolder.corpus(train: Self.good, valid: Self.good, test: Self.good)
        #expect(load(dir) == nil)  // control
        let gone = textDataError { _ = try TextCorpus.load(directory: dir.url.appendingPathComponent("nope"), layout: .standard) }
        expectError(gone, names: "nope", mentions: ["no such corpus folder"]) { if case .missingFolder = $0 { true } else { false } }
        let file = textDataError { _ = try TextCorpus.load(directory: dir.url.appendingPathComponent(TextCorpus.validFile), layout: .standard) }
        expectError(file, names: TextCorpus.validFile, mentions: ["is a file", "ptb.train.txt, ptb.valid.txt, ptb.test.txt"]) {
            if case .notAFolder = $0 { true } else { false }
        }
        // The last file missing is found before the first is read (every file checked up front).
        try FileManager.default.removeItem(atPath: dir.path(TextCorpus.testFile))
        try dir.write(TextCorpus.trainFile, [0x61, 0x00])
        expectError(load(dir), names: TextCorpus.testFile, mentions: ["not found"]) { if case .missingFile = $0 { true } else { false } }
        try FileManager.default.createDirectory(atPath: dir.path(TextCorpus.testFile), withIntermediateDirectories: false)
        expectError(load(dir), names: TextCorpus.testFile, mentions: ["is a folder"]) { if case .notAFile = $0 { true } else { false } }
    }

    @Test func emptyFile() throws {
        expectError(load(try folder(valid: [])), names: TextCorpus.validFile, mentions: ["is empty"]) {
            if case .empty = $0 { true } else { false }
        }
        #expect(load(try folder(valid: [0x0A])) == nil)  // control: one blank line is a line
    }

    /// A file that opens but cannot be read: /proc/self/mem fails with EIO at offset 0 (this
    /// also works as root, where a chmod 000 file stays readable).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/mem")))
    func unreadableFile() throws {
        let dir = try TempFolder.corpus(train: Self.good, valid: Self.good, test: Self.good)
        try FileManager.default.removeItem(atPath: dir.path(TextCorpus.validFile))
        try FileManager.default.createSymbolicLink(atPath: dir.path(TextCorpus.validFile), withDestinationPath: "/proc/self/mem")
        expectError(load(dir), names: TextCorpus.validFile, mentions: ["cannot be read"]) {
            if case .unreadable = $0 { true } else { false }
        }
    }

    /// Binary bytes and invalid UTF-8 name the file, the line and the byte.
    @Test func notText() throws {
        let cases: [([UInt8], [String])] = [
            (Array("ok\nab\u{0}c\n".utf8), ["line 2", "NUL byte", "offset 5"]),
            (Array("ok\nok\n".utf8) + [0x01, 0x0A], ["line 3", "control byte 0x01"]),
            (Array("a\u{7F}\n".utf8), ["line 1", "control byte 0x7f"]),
            ([0x61, 0xFF, 0x0A], ["line 1", "invalid UTF-8 byte 0xff"]),
            ([0x61, 0xC3], ["line 1", "invalid UTF-8 byte 0xc3"]),              // cut short at the end
            ([0x0A, 0xC3, 0x28, 0x0A], ["line 2", "invalid UTF-8 byte 0xc3"]),  // bad continuation
            ([0xC0, 0xAF], ["invalid UTF-8 byte 0xc0"]),                        // overlong '/'
            ([0xE0, 0x80, 0xAF], ["invalid UTF-8 byte 0xe0"]),                  // overlong 3-byte
            ([0xED, 0xA0, 0x80], ["invalid UTF-8 byte 0xed"]),                  // surrogate U+D800
            ([0xF4, 0x90, 0x80, 0x80], ["invalid UTF-8 byte 0xf4"]),            // beyond U+10FFFF
            ([0x61, 0x0D, 0x80], ["line 2", "invalid UTF-8 byte 0x80"]),       // lone continuation after \r
        ]
        for (bytes, words) in cases {
            expectError(load(try folder(valid: bytes)), names: TextCorpus.validFile, mentions: words + ["not a UTF-8 text file"]) {
                if case .notText = $0 { true } else { false }
            }
        }
        // Controls: the largest scalar, a 4-byte emoji and the allowed whitespace controls read fine.
        #expect(load(try folder(valid: [0xF4, 0x8F, 0xBF, 0xBF, 0x0A])) == nil)
        #expect(load(try folder(valid: Array("😀 a\tb\u{0B}c\u{0C}d\r\n".utf8))) == nil)
    }

    /// Too few tokens for the batch size or the BPTT length: one line naming the split's file.
    @Test func tooFewTokens() throws {
        let dir = try TempFolder.corpus(train: "a b c d e f g\n", valid: Self.good, test: Self.good)
        let c = try TextCorpus.load(directory: dir.url, layout: .standard)
        expectError(textDataError { _ = try TokenMatrix(batchifying: c.train, columns: 9) }, names: TextCorpus.trainFile,
                    mentions: ["8 tokens cannot fill 9 columns"]) { if case .tooFewTokens = $0 { true } else { false } }
        let m = try TokenMatrix(batchifying: c.train, columns: 2)   // 4 rows
        expectError(textDataError { _ = try TruncatedBPTTStream(data: m, bptt: 5, random: .init(seed: 1)) },
                    names: TextCorpus.trainFile, mentions: ["4 rows", "bptt 5", "at least 5"]) {
            if case .tooFewTokens = $0 { true } else { false }
        }
        #expect(textDataError { _ = try TruncatedBPTTStream(data: m, bptt: 4, random: .init(seed: 1)) } == nil)
        let one = try TokenMatrix(batchifying: c.train, columns: 8)
        expectError(textDataError { _ = try EvaluationSequences(data: one, bptt: 3) }, names: TextCorpus.trainFile,
                    mentions: ["evaluation needs at least 2"]) { if case .tooFewTokens = $0 { true } else { false } }
    }
}
