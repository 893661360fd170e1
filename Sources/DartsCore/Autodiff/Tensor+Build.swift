// Small constructors used by the ops: tensors filled by a kernel without zeroing first.

extension Tensor {
    /// A tensor of `shape` whose every element `body` writes (no zero fill beforehand).
    @inlinable
    public static func build(_ shape: [Int], _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let n = shape.reduce(1, *)
        let a = [Float](unsafeUninitializedCapacity: n) { buf, c in
            body(buf)
            c = n
        }
        return Tensor(shape: shape, scalars: a)
    }

    /// Element-wise map into a new tensor of the same shape.
    @inlinable
    public func map(_ f: (Float) -> Float) -> Tensor {
        withUnsafeBufferPointer { src in
            Tensor.build(shape) { dst in for i in 0..<src.count { dst[i] = f(src[i]) } }
        }
    }
}

/// Calls `body` with the mutable base address of `t`, or nil when `t` is nil.
@inlinable
public func withOptionalPointer<R>(_ t: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    if t == nil { return body(nil) }
    return t!.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}

/// Calls `body` with the base address of `t`, or nil when `t` is nil.
@inlinable
public func withOptionalPointer<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let t else { return body(nil) }
    return t.withUnsafeBufferPointer { body($0.baseAddress) }
}
