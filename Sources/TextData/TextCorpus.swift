// The Penn Treebank corpus of SPEC §7: the words of each line plus `<eos>`, one dictionary over
// train, valid and test in order of first appearance, and each split's token indices.
import Foundation

/// One split of the corpus: where it was read from and its tokens, in file order.
public struct TextSplit: Sendable, Equatable {
    /// The file's path, as errors name it.
    public let path: String
    public let tokens: [Int]
}

/// The three splits over one dictionary.
public struct TextCorpus: Sendable {
    /// Which files play which split. The caller chooses; nothing falls back silently.
    public enum Layout: String, Codable, CaseIterable, Sendable {
        /// `ptb.train.txt`, `ptb.valid.txt`, `ptb.test.txt` as train, valid, test.
        case standard
        /// Without the train file (these machines): `ptb.valid.txt` trains, `ptb.test.txt`
        /// validates and also serves as the test split (so test figures are not held out).
        case validAsTrain = "valid-as-train"
    }

    public static let trainFile = "ptb.train.txt"
    public static let validFile = "ptb.valid.txt"
    public static let testFile = "ptb.test.txt"

    /// The files `layout` reads, in reading (and so dictionary) order, each once.
    public static func fileNames(_ layout: Layout) -> [String] {
        switch layout {
        case .standard: return [trainFile, validFile, testFile]
        case .validAsTrain: return [validFile, testFile]
        }
    }

    /// Absolute and standardized.
    public let directory: URL
    public let layout: Layout
    public let vocabulary: Vocabulary
    public let train: TextSplit
    public let valid: TextSplit
    public let test: TextSplit

    /// The files this corpus read (the run's data files, for fingerprinting), in reading order.
    public var fileNames: [String] { Self.fileNames(layout) }

    /// Reads the corpus in `directory`. Every file is checked present before any is read, then
    /// each is read and validated whole; the first problem throws one `TextDataError` naming it.
    public static func load(directory: URL, layout: Layout) throws -> TextCorpus {
        let directory = directory.standardizedFileURL
        let urls = try presentFiles(directory: directory, layout: layout)
        var table = WordTable()
        var splits: [TextSplit] = []
        for url in urls {
            splits.append(TextSplit(path: url.path, tokens: try Tokenizer.tokenize(try TextFile.read(url), path: url.path, table: &table)))
        }
        // fileNames order: standard reads train, valid, test; validAsTrain reads valid, test.
        let (train, valid, test) = layout == .standard ? (splits[0], splits[1], splits[2]) : (splits[0], splits[1], splits[1])
        return TextCorpus(directory: directory, layout: layout, vocabulary: Vocabulary(words: table.words),
                          train: train, valid: valid, test: test)
    }
}

extension TextCorpus {
    /// `load` for a run (search or evaluation): a standard layout whose train file is missing says
    /// which layout trains without it.
    public static func loadForRun(directory: URL, layout: Layout) throws -> TextCorpus {
        try namingTheTrainFile(layout) { try load(directory: directory, layout: layout) }
    }

    /// Only that the folder and every file `layout` reads are there (what a run checks first),
    /// for callers that start runs later, such as an experiment grid when it is created.
    public static func checkFilesPresent(directory: URL, layout: Layout) throws {
        _ = try namingTheTrainFile(layout) { try presentFiles(directory: directory.standardizedFileURL, layout: layout) }
    }

    /// The folder's files of `layout`, each checked present (a folder, and files in it).
    static func presentFiles(directory: URL, layout: Layout) throws -> [URL] {
        let names = fileNames(layout)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir) else {
            throw TextDataError.missingFolder(path: directory.path)
        }
        guard isDir.boolValue else {
            throw TextDataError.notAFolder(path: directory.path, holding: names.joined(separator: ", "))
        }
        let urls = names.map { directory.appendingPathComponent($0) }
        for url in urls { try TextFile.checkPresent(url) }
        return urls
    }

    /// `body`, with a standard layout's missing train file reported as `missingTrainFile`.
    private static func namingTheTrainFile<T>(_ layout: Layout, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch TextDataError.missingFile(let path) where layout == .standard && path.hasSuffix("/" + trainFile) {
            throw TextDataError.missingTrainFile(path: path)
        }
    }
}
