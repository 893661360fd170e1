// Decoder for the CIFAR-10 and CIFAR-100 binary formats (one label byte or two, then 3072 pixels).

import Foundation

/// The CIFAR binary record layout: CIFAR-10 has `label, R[1024], G[1024], B[1024]`; CIFAR-100
/// has `coarse, fine, R, G, B` and we keep the fine label. Pixels are already channel-planar
/// 32×32, so a record's 3072 bytes are copied unchanged.
enum CIFARReader {
    static let pixelBytes = 3 * 32 * 32

    /// Bytes before the pixels of a record.
    static func labelBytes(_ kind: DatasetKind) -> Int { kind == .cifar100 ? 2 : 1 }

    /// Throws unless `count` bytes are a whole, non-zero number of `kind`'s records.
    static func checkSize(_ count: Int, path: String, kind: DatasetKind) throws {
        let record = labelBytes(kind) + pixelBytes
        guard count > 0 else { throw DataError.badFormat(path: path, reason: "the file is empty") }
        guard count % record == 0 else {
            var reason = "\(count) bytes is not a whole number of \(record)-byte \(kind.displayName) records "
                + "(the last record has only \(count % record) bytes)"
            let other = kind == .cifar100 ? DatasetKind.cifar10 : .cifar100
            let otherRecord = labelBytes(other) + pixelBytes
            if count % otherRecord == 0 {
                reason += "; the size fits \(other.displayName) records, so this may be the wrong dataset"
            }
            throw DataError.truncated(path: path, reason: reason)
        }
    }

    /// Checks the size of a file the subset does not read, so a damaged file is found before
    /// training rather than when a larger subset reaches it: a plain file by its size on disk, a
    /// gzipped one by decompressing it.
    static func checkFile(_ url: URL, kind: DatasetKind) throws {
        if url.pathExtension == "gz" {
            try checkSize(try FileBytes.read(url).count, path: url.path, kind: kind)
            return
        }
        guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int else {
            throw DataError.unreadable(path: url.path, reason: "cannot read its size")
        }
        try checkSize(size, path: url.path, kind: kind)
    }

    /// Appends up to `limit` records of `bytes` (read from `path`) to `pixels` and `labels`.
    static func decode(_ bytes: [UInt8], path: String, kind: DatasetKind, limit: Int,
                       pixels: inout [UInt8], labels: inout [Int32]) throws {
        let head = labelBytes(kind)
        let record = head + pixelBytes
        try checkSize(bytes.count, path: path, kind: kind)
        let records = min(bytes.count / record, limit)
        pixels.reserveCapacity(pixels.count + records * pixelBytes)
        labels.reserveCapacity(labels.count + records)
        try bytes.withUnsafeBufferPointer { src in
            for r in 0..<records {
                let base = r * record
                if kind == .cifar100 {
                    let coarse = Int(src[base])
                    guard coarse < 20 else {
                        throw DataError.badFormat(path: path, reason: "record \(r) has coarse label \(coarse), outside 0...19")
                    }
                }
                let label = Int(src[base + head - 1])
                guard label < kind.classes else {
                    throw DataError.labelOutOfRange(path: path, record: r, label: label, classes: kind.classes)
                }
                labels.append(Int32(label))
                pixels.append(contentsOf: src[(base + head)..<(base + record)])
            }
        }
    }
}
