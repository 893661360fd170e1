// Test helpers: small dataset files in each format, written into a fresh temporary folder.
import CZlib
import DartsCore
import Foundation
@testable import ImageData

/// A temporary folder that tests fill with dataset files; removed when the value is released.
final class TempFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("imagedata-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: url.appendingPathComponent(name))
    }

    /// Writes `bytes` gzip-compressed (zlib's gzwrite, as `gzip` would).
    func writeGzip(_ name: String, _ bytes: [UInt8]) throws {
        guard let f = gzopen(path(name), "wb") else { throw CocoaError(.fileWriteUnknown) }
        let n = bytes.withUnsafeBytes { gzwrite(f, $0.baseAddress, UInt32($0.count)) }
        gzclose(f)
        if Int(n) != bytes.count { throw CocoaError(.fileWriteUnknown) }
    }
}

/// Deterministic pseudo-random bytes and labels for fixtures.
struct FixtureRandom {
    var rng: PhiloxRandom
    init(_ seed: UInt64) { rng = PhiloxRandom(seed: seed, stream: 77) }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.nextUInt32()) } }
    mutating func label(_ classes: Int) -> UInt8 { UInt8(rng.nextInt(below: classes)) }
}

/// One sample as the tests expect it after loading: label and 32×32 channel-planar bytes.
struct ExpectedSample { var label: Int32; var pixels: [UInt8] }

enum Formats {
    /// CIFAR records: `[label] pixels` (CIFAR-10) or `[coarse, fine] pixels` (CIFAR-100).
    static func cifar(_ kind: DatasetKind, records: Int, random: inout FixtureRandom) -> (file: [UInt8], samples: [ExpectedSample]) {
        var file: [UInt8] = [], samples: [ExpectedSample] = []
        for _ in 0..<records {
            let fine = random.label(kind.classes)
            if kind == .cifar100 { file.append(random.label(20)) }
            file.append(fine)
            let px = random.bytes(3072)
            file += px
            samples.append(ExpectedSample(label: Int32(fine), pixels: px))
        }
        return (file, samples)
    }

    static func bigEndian(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }

    /// IDX image and label files of `count` 28×28 images, and the padded samples they hold.
    static func idx(count: Int, random: inout FixtureRandom) -> (images: [UInt8], labels: [UInt8], samples: [ExpectedSample]) {
        var images = bigEndian(0x803) + bigEndian(count) + bigEndian(28) + bigEndian(28)
        var labels = bigEndian(0x801) + bigEndian(count)
        var samples: [ExpectedSample] = []
        for _ in 0..<count {
            let raw = random.bytes(784)
            let label = random.label(10)
            images += raw
            labels.append(label)
            var padded = [UInt8](repeating: 0, count: 1024)
            for y in 0..<28 { for x in 0..<28 { padded[(y + 2) * 32 + x + 2] = raw[y * 28 + x] } }
            samples.append(ExpectedSample(label: Int32(label), pixels: padded))
        }
        return (images, labels, samples)
    }

    /// Writes a CIFAR-10 folder with `recordsPerFile` records in data_batch_1…5 and `test` in test_batch.
    static func writeCIFAR10(_ dir: TempFolder, recordsPerFile: [Int] = [2, 3, 1, 2, 2], test: Int = 3,
                             seed: UInt64 = 1) throws -> (train: [ExpectedSample], test: [ExpectedSample]) {
        var r = FixtureRandom(seed)
        var train: [ExpectedSample] = []
        for (i, n) in recordsPerFile.enumerated() {
            let f = cifar(.cifar10, records: n, random: &r)
            try dir.write("data_batch_\(i + 1).bin", f.file)
            train += f.samples
        }
        let t = cifar(.cifar10, records: test, random: &r)
        try dir.write("test_batch.bin", t.file)
        return (train, t.samples)
    }
}

/// The error `body` throws, if it is a `DataError`.
func dataError(_ body: () throws -> Void) -> DataError? {
    do { try body(); return nil } catch let e as DataError { return e } catch { return nil }
}
