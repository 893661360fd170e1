// Named arrays as the store sees them: a shape plus typed little-endian data. The store knows
// nothing about tensors or networks; callers convert at the boundary.
import Foundation

/// Element type of a stored array, with the code used in digests and the docs.
public enum StoredDType: String, Sendable, CaseIterable, Codable {
    case float32, float64, int64, uint8

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float32: 4
        case .float64: 8
        case .int64: 8
        case .uint8: 1
        }
    }
}

/// The typed payload of a stored array.
public enum StoredData: Equatable, Sendable {
    case float32([Float])
    case float64([Double])
    case int64([Int64])
    case uint8([UInt8])

    public var dtype: StoredDType {
        switch self {
        case .float32: .float32
        case .float64: .float64
        case .int64: .int64
        case .uint8: .uint8
        }
    }

    public var count: Int {
        switch self {
        case .float32(let v): v.count
        case .float64(let v): v.count
        case .int64(let v): v.count
        case .uint8(let v): v.count
        }
    }

    /// Raw bytes in memory order (little-endian on every platform Swift/Linux targets here).
    public func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .float32(let v): try v.withUnsafeBytes(body)
        case .float64(let v): try v.withUnsafeBytes(body)
        case .int64(let v): try v.withUnsafeBytes(body)
        case .uint8(let v): try v.withUnsafeBytes(body)
        }
    }

    /// Equality on raw bytes: NaN payloads compare equal to themselves, so a round trip of a
    /// diverged run still compares equal (the default `==` on [Float] says NaN != NaN).
    public static func == (a: StoredData, b: StoredData) -> Bool {
        guard a.dtype == b.dtype, a.count == b.count else { return false }
        return a.withUnsafeRawBytes { ra in b.withUnsafeRawBytes { rb in ra.elementsEqual(rb) } }
    }

    /// A zero-filled payload of `dtype` with `count` elements, filled by `fill` through raw bytes.
    static func make(_ dtype: StoredDType, count: Int,
                     fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows -> StoredData {
        switch dtype {
        case .float32:
            var v = [Float](repeating: 0, count: count); try v.withUnsafeMutableBytes(fill); return .float32(v)
        case .float64:
            var v = [Double](repeating: 0, count: count); try v.withUnsafeMutableBytes(fill); return .float64(v)
        case .int64:
            var v = [Int64](repeating: 0, count: count); try v.withUnsafeMutableBytes(fill); return .int64(v)
        case .uint8:
            var v = [UInt8](repeating: 0, count: count); try v.withUnsafeMutableBytes(fill); return .uint8(v)
        }
    }
}

/// A shaped array (row-major, C order). `shape == []` is a scalar holding one element.
public struct StoredArray: Equatable, Sendable {
    public var shape: [Int]
    public var data: StoredData

    public init(shape: [Int], data: StoredData) {
        precondition(shape.allSatisfy { $0 >= 0 }, "StoredArray: negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == data.count,
                     "StoredArray: shape \(shape) needs \(shape.reduce(1, *)) elements, data has \(data.count)")
        self.shape = shape
        self.data = data
    }

    public static func float32(shape: [Int], _ values: [Float]) -> StoredArray { .init(shape: shape, data: .float32(values)) }
    public static func float64(shape: [Int], _ values: [Double]) -> StoredArray { .init(shape: shape, data: .float64(values)) }
    public static func int64(shape: [Int], _ values: [Int64]) -> StoredArray { .init(shape: shape, data: .int64(values)) }
    public static func uint8(shape: [Int], _ values: [UInt8]) -> StoredArray { .init(shape: shape, data: .uint8(values)) }

    public var dtype: StoredDType { data.dtype }
    public var count: Int { data.count }
}
