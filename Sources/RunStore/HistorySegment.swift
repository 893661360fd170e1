// History segments (history/segment-NNNNNN.h5): up to 256 consecutive history rows as columns,
// one dataset per value and per array, all rows of a segment sharing one schema. Completed
// segments are immutable; the open one is rewritten atomically on each commit. FORMAT.md §5.
import Foundation

enum HistorySegment {
    static let format = "dartsprime-history"
    static let formatVersion: Int64 = 1
    static let capacity = 256

    static func fileName(index: Int) -> String { String(format: "segment-%06d.h5", index) }

    static func index(fromFileName name: String) -> Int? {
        guard name.hasPrefix("segment-"), name.hasSuffix(".h5") else { return nil }
        let digits = name.dropFirst(8).dropLast(3)
        guard digits.count >= 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }

    /// Value names plus array names, dtypes and per-row shapes: rows sharing a schema can share
    /// a segment.
    struct Schema: Equatable {
        var values: [String]
        var arrays: [String: [Int]]
        var dtypes: [String: StoredDType]
        init(_ row: HistoryRow) {
            values = StateDigest.sortedKeys(row.values.keys)
            arrays = row.arrays.mapValues(\.shape)
            dtypes = row.arrays.mapValues(\.dtype)
        }
    }

    /// The bytes of a segment file holding `rows`, built in memory (`name` only names it in
    /// errors; nothing is created on disk).
    static func image(_ rows: [HistoryRow], name: String) throws -> [UInt8] {
        precondition(!rows.isEmpty && rows.count <= capacity, "HistorySegment: 1...\(capacity) rows per segment")
        let schema = Schema(rows[0])
        precondition(rows.allSatisfy { Schema($0) == schema }, "HistorySegment: rows of one segment share a schema")
        let n = rows.count
        let opts = HDF5DatasetOptions(extendible: true, chunkRows: capacity, deflateLevel: 4)
        let file = try HDF5File.createInMemory(name: "\(name).\(AtomicFile.temporaryPrefix)image")
        try file.setAttribute("format", string: format)
        try file.setAttribute("format_version", int64: formatVersion)
        try file.setAttribute("first_step", int64: Int64(rows[0].step))
        try file.setAttribute("row_count", int64: Int64(n))
        try file.createDataset("step", .int64(shape: [n], rows.map { Int64($0.step) }), options: opts)
        try file.createDataset("epoch_end", .uint8(shape: [n], rows.map { $0.epochEnd ? 1 : 0 }), options: opts)
        try file.createStrings("state_digest", rows.map(\.stateDigest), options: opts)
        // Rows written before row digests existed keep an empty one: never blessed afterwards.
        try file.createStrings("row_digest", rows.map(\.rowDigest), options: opts)
        do {
            let w = KeyedGroupWriter(root: try file.createGroup("values"))
            for key in schema.values {
                let (p, name) = try w.parent(of: key)
                try p.createDataset(name, .float64(shape: [n], rows.map { $0.values[key]! }), options: opts)
            }
        }
        do {
            let w = KeyedGroupWriter(root: try file.createGroup("arrays"))
            for key in StateDigest.sortedKeys(schema.arrays.keys) {
                let (p, name) = try w.parent(of: key)
                try p.createDataset(name, stack(rows.map { $0.arrays[key]! }), options: opts)
            }
        }
        let bytes = try file.image()
        try file.close()
        return bytes
    }

    /// The segment's `first_step` attribute (the header only).
    static func firstStep(_ url: URL) throws -> Int {
        guard HDF5File.hasSignature(url) else { throw StoreError.notOurs(file: url.path, reason: "no HDF5 signature") }
        do { return Int(try HDF5File.open(url).int64Attribute("first_step")) } catch let e as HDF5Error {
            throw StoreError.unreadable(file: url.path, reason: "\(e.object): \(e.message)")
        }
    }

    static func read(_ url: URL) throws -> [HistoryRow] {
        guard HDF5File.hasSignature(url) else { throw StoreError.notOurs(file: url.path, reason: "no HDF5 signature") }
        do {
            let file = try HDF5File.open(url)
            guard try file.hasAttribute("format"), try file.stringAttribute("format") == format else {
                throw StoreError.notOurs(file: url.path, reason: "no format attribute '\(format)'")
            }
            let version = try file.int64Attribute("format_version")
            guard version <= formatVersion else { throw StoreError.newerFormat(file: url.path, found: version, supported: formatVersion) }
            guard case .int64(let steps) = try file.readArray("step").data,
                  case .uint8(let ends) = try file.readArray("epoch_end").data, ends.count == steps.count else {
                throw StoreError.unreadable(file: url.path, reason: "step/epoch_end columns are malformed")
            }
            let digests = try file.readStrings("state_digest")
            let n = steps.count
            guard digests.count == n, n == Int(try file.int64Attribute("row_count")) else {
                throw StoreError.unreadable(file: url.path, reason: "columns disagree on the row count")
            }
            var rows = (0..<n).map { HistoryRow(step: Int(steps[$0]), stateDigest: digests[$0], epochEnd: ends[$0] != 0) }
            if try file.contains("row_digest") {
                let rowDigests = try file.readStrings("row_digest")
                guard rowDigests.count == n else { throw StoreError.unreadable(file: url.path, reason: "row_digest has the wrong row count") }
                for i in 0..<n { rows[i].rowDigest = rowDigests[i] }
            }
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try file.openGroup("values")) {
                guard case .float64(let v) = try parent.readArray(name).data, v.count == n else {
                    throw StoreError.unreadable(file: url.path, reason: "values/\(key) is not \(n) float64")
                }
                for i in 0..<n { rows[i].values[key] = v[i] }
            }
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try file.openGroup("arrays")) {
                let column = try parent.readArray(name)
                guard column.shape.first == n else { throw StoreError.unreadable(file: url.path, reason: "arrays/\(key) has the wrong row count") }
                for i in 0..<n { rows[i].arrays[key] = row(i, of: column) }
            }
            return rows
        } catch let e as HDF5Error {
            throw StoreError.unreadable(file: url.path, reason: "\(e.object): \(e.message)")
        }
    }

    /// Stacks same-shaped arrays along a new first axis (byte copies, any dtype).
    static func stack(_ arrays: [StoredArray]) -> StoredArray {
        let shape = [arrays.count] + arrays[0].shape
        let data = StoredData.make(arrays[0].dtype, count: shape.reduce(1, *)) { out in
            var offset = 0
            for a in arrays {
                a.data.withUnsafeRawBytes { src in
                    if let dst = out.baseAddress, let from = src.baseAddress, src.count > 0 {
                        dst.advanced(by: offset).copyMemory(from: from, byteCount: src.count)
                    }
                    offset += src.count
                }
            }
        }
        return StoredArray(shape: shape, data: data)
    }

    /// Row `i` of a stacked column.
    static func row(_ i: Int, of column: StoredArray) -> StoredArray {
        let shape = Array(column.shape.dropFirst())
        let m = shape.reduce(1, *)
        let r = i * m..<(i + 1) * m
        switch column.data {
        case .float32(let v): return .float32(shape: shape, Array(v[r]))
        case .float64(let v): return .float64(shape: shape, Array(v[r]))
        case .int64(let v): return .int64(shape: shape, Array(v[r]))
        case .uint8(let v): return .uint8(shape: shape, Array(v[r]))
        }
    }
}
