// Errors of the TextData module: every one prints as a single sentence naming the file (or the
// saved state) and the problem.

/// Why a corpus could not be read, batched, or a saved stream state could not be restored.
public enum TextDataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The corpus folder (`--data`) does not exist.
    case missingFolder(path: String)
    /// `--data` names a file; it must be the folder holding `holding`.
    case notAFolder(path: String, holding: String)
    /// A file the corpus needs is not there.
    case missingFile(path: String)
    /// The standard layout's train file is not there (these machines have only valid and test).
    case missingTrainFile(path: String)
    /// A folder sits where the corpus needs a file.
    case notAFile(path: String)
    /// A file could not be opened or read (permissions, I/O error).
    case unreadable(path: String, reason: String)
    /// A file of zero bytes.
    case empty(path: String)
    /// A file that is not UTF-8 text: a NUL or other control byte, or an invalid UTF-8 sequence.
    case notText(path: String, line: Int, reason: String)
    /// A split too short for what is asked of it (batchify's columns, a BPTT length).
    case tooFewTokens(source: String, reason: String)
    /// A saved stream state that does not fit the stream it is restored into.
    case invalidStreamState(reason: String)

    public var description: String {
        switch self {
        case .missingFolder(let path):
            return "\(path): no such corpus folder (--data)."
        case .notAFolder(let path, let holding):
            return "\(path): is a file; --data must be the folder holding \(holding)."
        case .missingFile(let path):
            return "\(path): file not found."
        case .missingTrainFile(let path):
            return "\(path): file not found; without the train file pass --ptb-layout valid-as-train (trains on \(TextCorpus.validFile), validates on \(TextCorpus.testFile))."
        case .notAFile(let path):
            return "\(path): is a folder, but the corpus needs a file here."
        case .unreadable(let path, let reason):
            return "\(path): cannot be read: \(reason)."
        case .empty(let path):
            return "\(path): is empty (0 bytes); a corpus file holds at least one line of text."
        case .notText(let path, let line, let reason):
            return "\(path): line \(line): \(reason); not a UTF-8 text file."
        case .tooFewTokens(let source, let reason):
            return "\(source): \(reason)."
        case .invalidStreamState(let reason):
            return "saved text stream state is invalid: \(reason)."
        }
    }
}
