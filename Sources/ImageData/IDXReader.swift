// Decoder for the IDX files of (Fashion-)MNIST: big-endian header, then uint8 images or labels.

import Foundation

/// IDX images are `0x00000803, n, rows, cols, pixels…`, labels `0x00000801, n, labels…`, all
/// header integers big-endian 32-bit. The 28×28 images are zero-padded by 2 pixels on every
/// side to 32×32 (SPEC §1), as torchvision's `Pad(2)` would.
enum IDXReader {
    static let imageMagic: UInt32 = 0x0000_0803
    static let labelMagic: UInt32 = 0x0000_0801
    static let side = 28

    static func bigEndian32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }

    private static func magicName(_ m: UInt32) -> String { String(format: "0x%08X", m) }

    /// The number of samples the header announces, after checking magic number and file size.
    private static func header(_ bytes: [UInt8], path: String, magic: UInt32, headerBytes: Int,
                               sampleBytes: Int, what: String) throws -> Int {
        guard bytes.count >= headerBytes else {
            throw DataError.truncated(path: path, reason: "\(bytes.count) bytes is shorter than the \(headerBytes)-byte IDX \(what) header")
        }
        let m = bigEndian32(bytes, 0)
        guard m == magic else {
            throw DataError.badFormat(path: path, reason: "magic number \(magicName(m)) is not that of an IDX \(what) file (\(magicName(magic)))")
        }
        let n = Int(bigEndian32(bytes, 4))
        let expected = headerBytes + n * sampleBytes
        if bytes.count < expected {
            throw DataError.truncated(path: path, reason: "the header announces \(n) \(what) (\(expected) bytes) but the file has \(bytes.count) bytes")
        }
        if bytes.count > expected {
            throw DataError.badFormat(path: path, reason: "\(bytes.count - expected) bytes follow the \(n) \(what) the header announces")
        }
        return n
    }

    /// The number of images in the file and the first `limit` of them, each zero-padded to 32×32.
    static func decodeImages(_ bytes: [UInt8], path: String, limit: Int) throws -> (total: Int, pixels: [UInt8]) {
        if bytes.count >= 16, bigEndian32(bytes, 0) == imageMagic {
            let rows = Int(bigEndian32(bytes, 8)), cols = Int(bigEndian32(bytes, 12))
            guard rows == side, cols == side else {
                throw DataError.badFormat(path: path, reason: "images are \(rows)×\(cols), Fashion-MNIST's are 28×28")
            }
        }
        let n = try header(bytes, path: path, magic: imageMagic, headerBytes: 16,
                           sampleBytes: side * side, what: "images")
        let count = min(n, limit)
        let out = DatasetKind.imageSide, pad = (out - side) / 2
        var pixels = [UInt8](repeating: 0, count: count * out * out)
        bytes.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    for y in 0..<side {
                        let s = 16 + (i * side + y) * side
                        let d = (i * out + y + pad) * out + pad
                        for x in 0..<side { dst[d + x] = src[s + x] }
                    }
                }
            }
        }
        return (n, pixels)
    }

    /// Up to `limit` labels of an IDX label file, each checked against `classes`.
    static func decodeLabels(_ bytes: [UInt8], path: String, limit: Int, classes: Int) throws -> [Int32] {
        let n = try header(bytes, path: path, magic: labelMagic, headerBytes: 8, sampleBytes: 1, what: "labels")
        // Every label is checked, not only the first `limit`: a bad file should fail on small runs too.
        var labels: [Int32] = []
        labels.reserveCapacity(min(n, limit))
        for i in 0..<n {
            let label = Int(bytes[8 + i])
            guard label < classes else {
                throw DataError.labelOutOfRange(path: path, record: i, label: label, classes: classes)
            }
            if i < limit { labels.append(Int32(label)) }
        }
        return labels
    }
}
