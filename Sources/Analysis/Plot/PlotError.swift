// Why `plot` wrote nothing, as one sentence naming the flag or directory.

public enum PlotError: Error, CustomStringConvertible, Equatable {
    case outputNotDirectory(path: String)
    case outputHoldsFiles(path: String, count: Int)
    case cannotCreate(path: String, reason: String)
    case mixedRunFamilies(image: String, imageKind: String, text: String, textKind: String)

    public var description: String {
        switch self {
        case let .outputNotDirectory(path):
            return "--out \(path) exists and is not a directory"
        case let .outputHoldsFiles(path, count):
            return "--out \(path) already holds \(count) file\(count == 1 ? "" : "s") (add --force to replace the figures in it)"
        case let .cannotCreate(path, reason):
            return "cannot create the plot directory \(path): \(reason)"
        case let .mixedRunFamilies(image, imageKind, text, textKind):
            return "cannot overlay \(image) (a \(imageKind) run on images) with \(text) (a \(textKind) run on ptb): plot CNN and text runs separately"
        }
    }
}
