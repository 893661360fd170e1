// Errors of the ImageData module: every one prints as a single sentence naming the file and problem.

/// Why a dataset could not be read, or a sampler state could not be restored.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file the dataset needs is not there.
    case missingFile(path: String)
    /// The data folder (`--data`) does not exist.
    case missingFolder(path: String)
    /// `--data` names a file; it must be the folder holding `holding`.
    case notAFolder(path: String, holding: String)
    /// A folder sits where the dataset needs a file.
    case notAFile(path: String)
    /// The folder holds another dataset's files (e.g. CIFAR-100 where CIFAR-10 was asked for).
    case wrongDataset(directory: String, expected: String, found: String, evidence: String)
    /// A file could not be opened or read (permissions, I/O error, corrupt gzip stream).
    case unreadable(path: String, reason: String)
    /// A file's size or header does not fit the format.
    case badFormat(path: String, reason: String)
    /// A file ends in the middle of a record.
    case truncated(path: String, reason: String)
    /// A label byte outside 0..<classes.
    case labelOutOfRange(path: String, record: Int, label: Int, classes: Int)
    /// Images and labels files disagree on the number of samples.
    case countMismatch(imagesPath: String, images: Int, labelsPath: String, labels: Int)
    /// `--subset N` asked for more (or fewer than one) images than the split holds.
    case badSubset(requested: Int, available: Int, directory: String)
    /// A saved sampler state that does not fit the sampler it is restored into.
    case invalidSamplerState(reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "\(path): file not found."
        case .missingFolder(let path):
            return "\(path): no such data folder (--data)."
        case .notAFolder(let path, let holding):
            return "\(path): is a file; --data must be the folder holding \(holding)."
        case .notAFile(let path):
            return "\(path): is a folder, but the dataset needs a file here."
        case .wrongDataset(let dir, let expected, let found, let evidence):
            return "\(dir): this folder holds \(found) (\(evidence)), not \(expected)."
        case .unreadable(let path, let reason):
            return "\(path): cannot be read: \(reason)."
        case .badFormat(let path, let reason):
            return "\(path): \(reason)."
        case .truncated(let path, let reason):
            return "\(path): truncated: \(reason)."
        case .labelOutOfRange(let path, let record, let label, let classes):
            return "\(path): record \(record) has label \(label), outside 0...\(classes - 1)."
        case .countMismatch(let ip, let ni, let lp, let nl):
            return "\(ip): holds \(ni) images but \(lp) holds \(nl) labels."
        case .badSubset(let requested, let available, let dir):
            return "\(dir): --subset \(requested) is not within 1...\(available), the number of images in the split."
        case .invalidSamplerState(let reason):
            return "saved sampler state is invalid: \(reason)."
        }
    }
}
