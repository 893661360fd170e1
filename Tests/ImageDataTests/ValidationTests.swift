// Every kind of bad input gives a DataError whose one-line message names the file and the problem.
import Foundation
import Testing
@testable import ImageData

/// `error` is present, matches `kind`, and prints as one line naming `file`.
func expectError(_ error: DataError?, names file: String, mentions words: [String] = [],
                 _ kind: (DataError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else { Issue.record("no DataError was thrown", sourceLocation: sourceLocation); return }
    #expect(kind(error), "unexpected error: \(error)", sourceLocation: sourceLocation)
    let text = error.description
    #expect(text.contains(file), "'\(text)' does not name \(file)", sourceLocation: sourceLocation)
    #expect(!text.contains("\n"), sourceLocation: sourceLocation)
    for w in words { #expect(text.contains(w), "'\(text)' does not mention \(w)", sourceLocation: sourceLocation) }
}

@Suite struct ValidationTests {
    func load(_ kind: DatasetKind, _ dir: TempFolder, _ split: DataSplit = .train, subset: Int? = nil) -> DataError? {
        dataError { _ = try ImageDataset.load(kind, directory: dir.url, split: split, subset: subset) }
    }

    @Test func missingFolderAndFiles() throws {
        let dir = try TempFolder()
        let gone = dataError { _ = try ImageDataset.load(.cifar10, directory: dir.url.appendingPathComponent("nope"), split: .train) }
        expectError(gone, names: "nope") { if case .missingFolder = $0 { true } else { false } }
        _ = try Formats.writeCIFAR10(dir)
        try FileManager.default.removeItem(atPath: dir.path("data_batch_4.bin"))
        expectError(load(.cifar10, dir), names: "data_batch_4.bin", mentions: ["not found"]) {
            if case .missingFile = $0 { true } else { false }
        }
        var r = FixtureRandom(1)
        let f = Formats.idx(count: 2, random: &r)
        let fm = try TempFolder()
        try fm.write("train-images-idx3-ubyte", f.images)
        expectError(load(.fashionMNIST, fm), names: "train-labels-idx1-ubyte") { if case .missingFile = $0 { true } else { false } }
    }

    /// `--data` naming a file, and a folder where a data file belongs, each say what they are.
    @Test func fileForFolderAndFolderForFile() throws {
        let dir = try TempFolder()
        _ = try Formats.writeCIFAR10(dir)
        let file = dataError { _ = try ImageDataset.load(.cifar10, directory: dir.url.appendingPathComponent("data_batch_1.bin"), split: .train) }
        expectError(file, names: "data_batch_1.bin", mentions: ["is a file", "must be the folder"]) {
            if case .notAFolder = $0 { true } else { false }
        }
        try FileManager.default.removeItem(atPath: dir.path("data_batch_2.bin"))
        try FileManager.default.createDirectory(atPath: dir.path("data_batch_2.bin"), withIntermediateDirectories: false)
        expectError(load(.cifar10, dir), names: "data_batch_2.bin", mentions: ["is a folder"]) {
            if case .notAFile = $0 { true } else { false }
        }
    }

    /// A damaged file the subset never reads is still refused up front (before any training).
    @Test func everyFileIsCheckedWhateverTheSubset() throws {
        let dir = try TempFolder()
        _ = try Formats.writeCIFAR10(dir)
        #expect(load(.cifar10, dir, subset: 2) == nil)  // control: the intact folder loads
        let bytes = try Data(contentsOf: dir.url.appendingPathComponent("data_batch_3.bin"))
        try bytes.prefix(bytes.count - 100).write(to: dir.url.appendingPathComponent("data_batch_3.bin"))
        expectError(load(.cifar10, dir, subset: 2), names: "data_batch_3.bin", mentions: ["truncated"]) {
            if case .truncated = $0 { true } else { false }
        }
    }

    @Test func folderOfTheWrongDataset() throws {
        let c100 = try TempFolder()
        var r = FixtureRandom(2)
        try c100.write("train.bin", Formats.cifar(.cifar100, records: 2, random: &r).file)
        expectError(load(.cifar10, c100), names: c100.url.path, mentions: ["CIFAR-100", "CIFAR-10", "train.bin"]) {
            if case .wrongDataset(_, "CIFAR-10", "CIFAR-100", _) = $0 { true } else { false }
        }
        let c10 = try TempFolder()
        _ = try Formats.writeCIFAR10(c10)
        expectError(load(.cifar100, c10), names: c10.url.path) {
            if case .wrongDataset(_, "CIFAR-100", "CIFAR-10", _) = $0 { true } else { false }
        }
        expectError(load(.fashionMNIST, c10), names: c10.url.path) {
            if case .wrongDataset(_, "Fashion-MNIST", "CIFAR-10", _) = $0 { true } else { false }
        }
        // A CIFAR-100 file under CIFAR-10's name: the size gives it away.
        let renamed = try TempFolder()
        _ = try Formats.writeCIFAR10(renamed)
        try renamed.write("data_batch_2.bin", Formats.cifar(.cifar100, records: 10, random: &r).file)
        expectError(load(.cifar10, renamed), names: "data_batch_2.bin", mentions: ["CIFAR-100", "wrong dataset"]) {
            if case .truncated = $0 { true } else { false }
        }
    }

    @Test func cifarSizesAndLabels() throws {
        let dir = try TempFolder()
        _ = try Formats.writeCIFAR10(dir)
        var r = FixtureRandom(4)
        var file = Formats.cifar(.cifar10, records: 2, random: &r).file
        try dir.write("data_batch_3.bin", Array(file.dropLast(100)))
        expectError(load(.cifar10, dir), names: "data_batch_3.bin", mentions: ["truncated", "2973"]) {
            if case .truncated = $0 { true } else { false }
        }
        try dir.write("data_batch_3.bin", [])
        expectError(load(.cifar10, dir), names: "data_batch_3.bin", mentions: ["empty"]) {
            if case .badFormat = $0 { true } else { false }
        }
        file[3073] = 10  // second record's label
        try dir.write("data_batch_3.bin", file)
        expectError(load(.cifar10, dir), names: "data_batch_3.bin", mentions: ["record 1", "label 10"]) {
            if case .labelOutOfRange(_, 1, 10, 10) = $0 { true } else { false }
        }
        var c100 = Formats.cifar(.cifar100, records: 2, random: &r).file
        let d100 = try TempFolder()
        c100[1] = 100
        try d100.write("train.bin", c100)
        expectError(load(.cifar100, d100), names: "train.bin") {
            if case .labelOutOfRange(_, 0, 100, 100) = $0 { true } else { false }
        }
        c100[1] = 5; c100[3074] = 20  // coarse label of record 1
        try d100.write("train.bin", c100)
        expectError(load(.cifar100, d100), names: "train.bin", mentions: ["coarse"]) {
            if case .badFormat = $0 { true } else { false }
        }
    }

    /// A Fashion-MNIST folder whose files the closure may spoil.
    func fashionFolder(_ spoil: (inout [UInt8], inout [UInt8]) -> Void, gzip: Bool = false) throws -> TempFolder {
        let dir = try TempFolder()
        var r = FixtureRandom(6)
        var f = Formats.idx(count: 3, random: &r)
        spoil(&f.images, &f.labels)
        try (gzip ? dir.writeGzip : dir.write)("train-images-idx3-ubyte" + (gzip ? ".gz" : ""), f.images)
        try dir.write("train-labels-idx1-ubyte", f.labels)
        return dir
    }

    @Test func idxHeadersSizesAndLabels() throws {
        let images = "train-images-idx3-ubyte", labels = "train-labels-idx1-ubyte"
        expectError(load(.fashionMNIST, try fashionFolder { i, _ in i[3] = 0x01 }), names: images, mentions: ["magic", "0x00000801"]) {
            if case .badFormat = $0 { true } else { false }
        }
        expectError(load(.fashionMNIST, try fashionFolder { _, l in l[3] = 0x03 }), names: labels, mentions: ["magic"]) {
            if case .badFormat = $0 { true } else { false }
        }
        expectError(load(.fashionMNIST, try fashionFolder { i, _ in i[11] = 27 }), names: images, mentions: ["27×28"]) {
            if case .badFormat = $0 { true } else { false }
        }
        expectError(load(.fashionMNIST, try fashionFolder { i, _ in i.removeLast(5) }), names: images, mentions: ["3 images"]) {
            if case .truncated = $0 { true } else { false }
        }
        expectError(load(.fashionMNIST, try fashionFolder { i, _ in i = Array(i.prefix(10)) }), names: images) {
            if case .truncated = $0 { true } else { false }
        }
        expectError(load(.fashionMNIST, try fashionFolder { i, _ in i.append(0) }), names: images, mentions: ["1 bytes follow"]) {
            if case .badFormat = $0 { true } else { false }
        }
        expectError(load(.fashionMNIST, try fashionFolder { _, l in l.removeLast() }), names: labels) {
            if case .truncated = $0 { true } else { false }
        }
        expectError(load(.fashionMNIST, try fashionFolder { _, l in l[9] = 10 }), names: labels, mentions: ["record 1"]) {
            if case .labelOutOfRange(_, 1, 10, 10) = $0 { true } else { false }
        }
        let mismatch = try fashionFolder { _, l in l[7] = 2; l.removeLast() }
        expectError(load(.fashionMNIST, mismatch), names: images, mentions: [labels, "3 images", "2 labels"]) {
            if case .countMismatch = $0 { true } else { false }
        }
    }

    @Test func truncatedGzipStream() throws {
        let dir = try fashionFolder({ _, _ in }, gzip: true)
        let path = dir.path("train-images-idx3-ubyte.gz")
        let whole = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        try dir.write("train-images-idx3-ubyte.gz", Array(whole.prefix(whole.count / 2)))
        expectError(load(.fashionMNIST, dir), names: "train-images-idx3-ubyte.gz") {
            if case .truncated = $0 { true } else if case .unreadable = $0 { true } else { false }
        }
    }

    @Test func subsetOutOfRange() throws {
        let dir = try TempFolder()
        _ = try Formats.writeCIFAR10(dir)
        expectError(load(.cifar10, dir, subset: 11), names: dir.url.path, mentions: ["--subset 11", "1...10"]) {
            if case .badSubset(11, 10, _) = $0 { true } else { false }
        }
        expectError(load(.cifar10, dir, subset: 0), names: dir.url.path) {
            if case .badSubset(0, _, _) = $0 { true } else { false }
        }
        #expect(load(.cifar10, dir, subset: 10) == nil)
    }
}
