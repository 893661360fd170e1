// Tiny Penn Treebank searches (rnn-search) on a synthetic corpus written into the test's
// directory: ptb.valid.txt and ptb.test.txt of 23 words (`--ptb-layout valid-as-train`), the
// tiny profile (16 hidden units, batch 16, bptt 10, 2 epochs), so a search takes about a second.

import Foundation
import Search
import Training
import RunStore

enum TinyTextSearch {
    /// Writes the two files of the valid-as-train layout into `directory` (created), `lines` × 10 words each.
    static func writeCorpus(into directory: URL, lines: Int = 260) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, shift) in [("ptb.valid.txt", 0), ("ptb.test.txt", 5)] {
            let text = (0..<lines).map { line in
                (0..<10).map { w in "w\((line * 7 + w * 3 + shift + line / 3) % 23)" }.joined(separator: " ")
            }.joined(separator: "\n") + "\n"
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    /// The tiny profile on the corpus in `data`.
    static func configuration(_ method: String, seed: UInt64 = 101, data: URL) -> RecurrentSearchRunConfiguration {
        var c = RecurrentSearchRunConfiguration.preset(.tiny)
        c.dataDirectory = data.path
        c.layout = .validAsTrain
        c.method = method
        c.seed = seed
        return c
    }

    /// Runs (or with `maxSteps`, starts) a tiny search into `run`; the corpus is written beside it once.
    @discardableResult
    static func run(_ method: String, seed: UInt64 = 101, _ run: URL, maxSteps: Int? = nil) throws -> RecurrentSearch {
        let data = run.deletingLastPathComponent().appendingPathComponent("ptb")
        if !FileManager.default.fileExists(atPath: data.path) { try writeCorpus(into: data) }
        let search = try RecurrentSearch(configuration: configuration(method, seed: seed, data: data))
        _ = try RunLauncher(kinds: [RecurrentSearch.self]).start(search, directory: run, maxSteps: maxSteps)
        return search
    }
}
