// Named tensors that persist across steps: trainable weights, α, and batch-norm buffers.
//
// A Parameter is a reference so that a model, its optimizer state and the checkpoint code can
// all point at the same tensor by identity; its `name` is the PyTorch `state_dict` key.

/// A named tensor with an accumulated gradient.
public final class Parameter: @unchecked Sendable, CustomStringConvertible {
    /// PyTorch `state_dict` name, e.g. `cells.0._ops.3._ops.4.op.1.weight`.
    public let name: String
    /// Current value.
    public var value: Tensor
    /// Gradient accumulated by `Tape.backward` (same shape as `value`); `zeroGrad()` clears it.
    public var grad: Tensor

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        self.grad = Tensor(shape: value.shape)
    }

    public var shape: [Int] { value.shape }

    /// Sets the accumulated gradient to zero, reusing its storage.
    public func zeroGrad() {
        grad.withUnsafeMutableBufferPointer { g in
            for i in g.indices { g[i] = 0 }
        }
    }

    /// Adds `gradient` (same shape) to the accumulated gradient, e.g. a regulariser's.
    public func addToGradient(_ gradient: Tensor) {
        precondition(gradient.shape == grad.shape, "gradient of shape \(gradient.shape) added to \(name) of shape \(grad.shape)")
        gradient.withUnsafeBufferPointer { d in
            grad.withUnsafeMutableBufferPointer { g in
                for i in g.indices { g[i] += d[i] }
            }
        }
    }

    public var description: String { "Parameter(\(name), shape: \(value.shape))" }
}
