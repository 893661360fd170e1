// `--dataset`: an image dataset (the CNN search and evaluation) or `ptb` (the text search).

import ArgumentParser
import ImageData

enum DatasetArgument: ExpressibleByArgument, Equatable {
    case image(DatasetKind)
    case ptb

    init?(argument: String) {
        if argument == "ptb" { self = .ptb } else if let k = DatasetKind(rawValue: argument) { self = .image(k) } else { return nil }
    }

    static var allValueStrings: [String] { DatasetKind.allCases.map(\.rawValue) + ["ptb"] }
}
