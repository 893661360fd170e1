// `evaluate`'s data flags: the image datasets of `search` plus `ptb` (the recurrent
// evaluation) and its file layout.

import ArgumentParser
import Foundation
import ImageData
import TextData

/// An image dataset or the Penn Treebank.
enum EvaluationDataset: String, ExpressibleByArgument, CaseIterable {
    case cifar10, cifar100
    case fashionMNIST = "fashion-mnist"
    case ptb

    var imageKind: DatasetKind? { DatasetKind(rawValue: rawValue) }
}

extension TextCorpus.Layout: ExpressibleByArgument {}

struct EvaluationDataOptions: ParsableArguments {
    @Option(help: "Dataset: cifar10, cifar100, fashion-mnist, or ptb (a recurrent genotype).")
    var dataset: EvaluationDataset?
    @Option(help: "Folder holding the dataset files (images: default the dataset's usual place; ptb: required).")
    var data: String?
    @Option(parsing: .unconditional, help: "Use only the first N training images, or 'all' (images).")
    var subset: ImageSubset?
    @Flag(inversion: .prefixedNo, help: "Random crop and horizontal flip (images; default: on).")
    var augment: Bool?
    @Option(name: .customLong("ptb-layout"), help: "ptb: standard (ptb.train/valid/test.txt) or valid-as-train (valid trains, test validates and tests).")
    var ptbLayout: TextCorpus.Layout?

    var isText: Bool { dataset == .ptb }

    /// `--data` absolute and standardized, so the run resumes from any working folder.
    var directory: String? { data.map { URL(fileURLWithPath: $0).standardizedFileURL.path } }

    func applySettings<C: ImageDataSettings>(to c: inout C) {
        if let v = dataset?.imageKind { c.dataset = v }
        if let v = directory { c.dataDirectory = v }
        if let v = subset { c.subset = v.count }
        if let v = augment { c.augment = v }
    }
}
