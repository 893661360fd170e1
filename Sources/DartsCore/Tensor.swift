// Float32 tensors: a value type over a final-class storage, copy-on-write.
//
// Layout is row-major and contiguous. Image activations are NCHW; weights use PyTorch's layouts
// ([Cout, Cin/groups, kh, kw] for convolutions, [out, in] for linear layers).

/// Heap storage shared by tensors until one of them writes.
public final class TensorStorage: @unchecked Sendable {
    public var scalars: [Float]
    public init(_ scalars: [Float]) { self.scalars = scalars }
}

/// A dense Float32 tensor with copy-on-write semantics.
public struct Tensor: @unchecked Sendable, CustomStringConvertible {
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage

    /// Number of elements.
    public var count: Int { storage.scalars.count }
    public var rank: Int { shape.count }

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "tensor shape \(shape) has a negative dimension")
        self.shape = shape
        self.storage = TensorStorage([Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        let n = shape.reduce(1, *)
        precondition(n == scalars.count,
                     "tensor shape \(shape) holds \(n) elements but \(scalars.count) were given")
        self.shape = shape
        self.storage = TensorStorage(scalars)
    }

    /// A rank-0 tensor.
    public init(scalar: Float) { self.init(shape: [], scalars: [scalar]) }

    /// The elements in row-major order.
    public var scalars: [Float] { storage.scalars }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar read from a tensor of shape \(shape)")
        return storage.scalars[0]
    }

    public subscript(flat i: Int) -> Float {
        get { storage.scalars[i] }
        set { makeUnique(); storage.scalars[i] = newValue }
    }

    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.scalars.withUnsafeBufferPointer(body)
    }

    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeUnique()
        return try storage.scalars.withUnsafeMutableBufferPointer(body)
    }

    @inlinable
    public mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = TensorStorage(storage.scalars) }
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count,
                     "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        var t = self
        t.shape = newShape
        return t
    }

    public var description: String { "Tensor(shape: \(shape))" }
}

extension Tensor: Equatable {
    /// Bitwise equality of shape and elements (NaN payloads included), as determinism tests need.
    public static func == (a: Tensor, b: Tensor) -> Bool {
        guard a.shape == b.shape else { return false }
        if a.storage === b.storage { return true }
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count where pa[i].bitPattern != pb[i].bitPattern { return false }
                return true
            }
        }
    }
}
