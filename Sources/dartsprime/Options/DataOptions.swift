// `--dataset`, `--data`, `--subset`, `--augment/--no-augment`: what the search trains on.

import ArgumentParser
import Foundation
import ImageData
import Search

extension DatasetKind: ExpressibleByArgument {}

/// `--subset N` (the first N training images) or `--subset all` (undo a profile's subset).
enum ImageSubset: ExpressibleByArgument, Equatable {
    case all
    case first(Int)

    init?(argument: String) {
        if argument == "all" { self = .all } else if let n = Int(argument) { self = .first(n) } else { return nil }
    }

    /// The configuration's `subset`: nil for all images.
    var count: Int? {
        switch self {
        case .all: return nil
        case let .first(n): return n
        }
    }
}

/// Dataset, its folder, the training subset and augmentation.
struct DataOptions: ConfigurationOptions {
    @Option(help: "Dataset (ptb: the Penn Treebank text search; see the Text group).")
    var dataset: DatasetArgument?
    @Option(help: "Folder holding the dataset files (default: the dataset's usual place).")
    var data: String?
    @Option(parsing: .unconditional, help: "Use only the first N training images, or 'all'.")
    var subset: ImageSubset?
    @Flag(inversion: .prefixedNo, help: "Random crop and horizontal flip on both splits (default: on).")
    var augment: Bool?

    /// Whether `--dataset ptb` was given.
    var isText: Bool { dataset == .ptb }

    func apply(to c: inout SearchConfiguration) { applySettings(to: &c) }

    /// Writes the given flags into any configuration with these fields (search or evaluation).
    func applySettings<C: ImageDataSettings>(to c: inout C) {
        if case let .image(v) = dataset { c.dataset = v }
        // Absolute and standardized, so the run resumes from any working folder.
        if let v = data { c.dataDirectory = URL(fileURLWithPath: v).standardizedFileURL.path }
        if let v = subset { c.subset = v.count }
        if let v = augment { c.augment = v }
    }
}
