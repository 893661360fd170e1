// `evaluate`'s data flags: the datasets of `search` (`DatasetArgument`: images or `ptb`, here the
// recurrent evaluation) and the corpus layout.

import ArgumentParser
import Foundation
import ImageData
import TextData

extension TextCorpus.Layout: ExpressibleByArgument {}

struct EvaluationDataOptions: ParsableArguments {
    @Option(help: "Dataset: cifar10, cifar100, fashion-mnist, or ptb (a recurrent genotype).")
    var dataset: DatasetArgument?
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
        if case let .image(v) = dataset { c.dataset = v }
        if let v = directory { c.dataDirectory = v }
        if let v = subset { c.subset = v.count }
        if let v = augment { c.augment = v }
    }
}
