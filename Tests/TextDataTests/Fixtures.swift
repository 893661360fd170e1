// Test helpers: hand-made corpus folders in a fresh temporary folder, and a naive tokenizer over
// Swift Strings as the oracle the byte tokenizer is compared with.
import Foundation
import Testing
@testable import TextData

/// A temporary folder that tests fill with corpus files; removed when the value is released.
final class TempFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("textdata-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws { try write(name, Array(text.utf8)) }
    func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: url.appendingPathComponent(name)) }

    /// The three standard files.
    static func corpus(train: String, valid: String, test: String) throws -> TempFolder {
        let dir = try TempFolder()
        try dir.write(TextCorpus.trainFile, train)
        try dir.write(TextCorpus.validFile, valid)
        try dir.write(TextCorpus.testFile, test)
        return dir
    }
}

/// The error `body` throws as a TextDataError (nil when it throws nothing).
func textDataError(_ body: () throws -> Void) -> TextDataError? {
    do { try body(); return nil } catch let e as TextDataError { return e } catch {
        Issue.record("unexpected error type: \(error)"); return nil
    }
}

/// `error` is present, matches `kind`, and prints as one line naming `file` and `words`.
func expectError(_ error: TextDataError?, names file: String, mentions words: [String] = [],
                 _ kind: (TextDataError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else { Issue.record("no TextDataError was thrown", sourceLocation: sourceLocation); return }
    #expect(kind(error), "unexpected error: \(error)", sourceLocation: sourceLocation)
    let text = error.description
    #expect(text.contains(file), "'\(text)' does not name \(file)", sourceLocation: sourceLocation)
    #expect(!text.contains("\n"), sourceLocation: sourceLocation)
    for w in words { #expect(text.contains(w), "'\(text)' does not mention \(w)", sourceLocation: sourceLocation) }
}

/// Python's `for line in f: words = line.split() + ['<eos>']` over ASCII text, written the slow
/// obvious way: split into lines at \n, \r\n, \r, then into words at ASCII whitespace.
enum NaiveTokenizer {
    static func words(_ text: String) -> [String] {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = unified.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines.flatMap { line in
            line.split(whereSeparator: { " \t\u{0B}\u{0C}".contains($0) }).map(String.init) + ["<eos>"]
        }
    }

    /// The dictionary in order of first appearance over `texts`, and each text's indices.
    static func corpus(_ texts: [String]) -> (words: [String], tokens: [[Int]]) {
        var index: [String: Int] = [:], words: [String] = []
        let tokens = texts.map { text in
            Self.words(text).map { w -> Int in
                if let k = index[w] { return k }
                index[w] = words.count; words.append(w); return words.count - 1
            }
        }
        return (words, tokens)
    }
}
