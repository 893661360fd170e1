// A whole split of a dataset in memory as raw bytes, and the loader that finds and checks its files.
import Foundation

/// Raw uint8 images, channel-planar, always 32×32 (Fashion-MNIST is zero-padded), plus labels.
///
/// Kept as bytes (a quarter of the Float size) because augmentation works on bytes and
/// normalises while writing the batch: CIFAR-10's 50 000 training images take 150 MB.
public struct ImageDataset: Sendable {
    public let kind: DatasetKind
    public let count: Int
    public let channels: Int
    /// `count × channels × 32 × 32`, row-major.
    public let pixels: [UInt8]
    public let labels: [Int32]

    /// Bytes of one image.
    public var imageBytes: Int { channels * DatasetKind.imageSide * DatasetKind.imageSide }

    /// A dataset from bytes already in memory (synthetic data, tests, benchmarks).
    public init(kind: DatasetKind, pixels: [UInt8], labels: [Int32]) {
        let per = kind.channels * DatasetKind.imageSide * DatasetKind.imageSide
        precondition(pixels.count == labels.count * per,
                     "\(labels.count) \(kind.displayName) images need \(labels.count * per) bytes, got \(pixels.count)")
        precondition(labels.allSatisfy { $0 >= 0 && Int($0) < kind.classes },
                     "labels must lie in 0..<\(kind.classes)")
        self.kind = kind
        self.count = labels.count
        self.channels = kind.channels
        self.pixels = pixels
        self.labels = labels
    }

    /// Reads `split` of `kind` from `directory`, keeping only the first `subset` images if given.
    ///
    /// Files may be plain or gzipped (`name` or `name.gz`). Every failure is a `DataError` that
    /// names the file: missing files, another dataset's folder, wrong sizes, truncated records,
    /// labels out of range, images and labels files that disagree.
    public static func load(_ kind: DatasetKind, directory: URL, split: DataSplit,
                            subset: Int? = nil) throws -> ImageDataset {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir) else {
            throw DataError.missingFolder(path: directory.path)
        }
        guard isDir.boolValue else {
            throw DataError.notAFolder(path: directory.path, holding: kind.fileNames(split).joined(separator: ", "))
        }
        let files = try kind.fileNames(split).map { name -> URL in
            if let url = FileBytes.locate(name, in: directory) { return url }
            let expected = directory.appendingPathComponent(name)
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: expected.path, isDirectory: &isDir), isDir.boolValue {
                throw DataError.notAFile(path: expected.path)
            }
            if let other = otherDataset(in: directory, than: kind) { throw other }
            throw DataError.missingFile(path: directory.appendingPathComponent(name).path)
        }
        if let n = subset, n < 1 { throw DataError.badSubset(requested: n, available: 0, directory: directory.path) }
        let limit = subset ?? Int.max

        var pixels: [UInt8] = []
        var labels: [Int32] = []
        switch kind {
        case .cifar10, .cifar100:
            for url in files {
                guard labels.count < limit else { try CIFARReader.checkFile(url, kind: kind); continue }
                let bytes = try FileBytes.read(url)
                try CIFARReader.decode(bytes, path: url.path, kind: kind, limit: limit - labels.count,
                                       pixels: &pixels, labels: &labels)
            }
        case .fashionMNIST:
            let images = try IDXReader.decodeImages(try FileBytes.read(files[0]), path: files[0].path, limit: limit)
            let labelBytes = try FileBytes.read(files[1])
            labels = try IDXReader.decodeLabels(labelBytes, path: files[1].path, limit: limit, classes: kind.classes)
            let totalLabels = Int(IDXReader.bigEndian32(labelBytes, 4))
            guard images.total == totalLabels else {
                throw DataError.countMismatch(imagesPath: files[0].path, images: images.total,
                                              labelsPath: files[1].path, labels: totalLabels)
            }
            pixels = images.pixels
        }
        if let n = subset, n > labels.count {
            throw DataError.badSubset(requested: n, available: labels.count, directory: directory.path)
        }
        return ImageDataset(kind: kind, pixels: pixels, labels: labels)
    }

    /// The files `load` reads for `split` of `kind` in `directory` (plain or `.gz`), as found
    /// there; files that are missing are left out (`load` reports them).
    public static func files(_ kind: DatasetKind, directory: URL, split: DataSplit) -> [URL] {
        kind.fileNames(split).compactMap { FileBytes.locate($0, in: directory) }
    }

    /// A `wrongDataset` error when `directory` holds the files of a dataset other than `kind`.
    static func otherDataset(in directory: URL, than kind: DatasetKind) -> DataError? {
        let signatures: [(DatasetKind, [String])] = [
            (.cifar10, ["data_batch_1.bin", "test_batch.bin", "batches.meta.txt"]),
            (.cifar100, ["train.bin", "test.bin", "fine_label_names.txt"]),
            (.fashionMNIST, ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte"]),
        ]
        for (other, names) in signatures where other != kind {
            if let hit = names.first(where: { FileBytes.locate($0, in: directory) != nil }) {
                return .wrongDataset(directory: directory.path, expected: kind.displayName,
                                     found: other.displayName, evidence: "it has \(hit)")
            }
        }
        return nil
    }
}
