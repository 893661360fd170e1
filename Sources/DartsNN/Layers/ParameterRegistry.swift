// The one list of a model's named tensors: layers register here as they are built, so creation
// order is the model's fixed order (optimizer state, checkpoint keys, FIMT sums all follow it).

import DartsCore

/// Registers weights and buffers in creation order, and attributes weights to the op being built.
///
/// A model is built once, layer by layer, drawing its initial weights from one generator; the
/// registry records the same order, so the weight list, the draws and the checkpoint agree.
/// Names are PyTorch `state_dict` keys and must be unique: a repeated one would overwrite a
/// tensor in the checkpoint, so it is refused when it is registered.
public final class ParameterRegistry {
    /// Trainable tensors, in creation order.
    public private(set) var weights: [Parameter] = []
    /// Batch-norm running statistics (not trained), in creation order.
    public private(set) var buffers: [Parameter] = []
    private var names: Set<String> = []
    /// Weights registered inside each open `collectingWeights` call, innermost last.
    private var collectors: [[Parameter]] = []

    public init() {}

    /// Registers a trainable tensor named `name` holding `value`.
    public func weight(_ name: String, _ value: Tensor) -> Parameter {
        let p = make(name, value)
        weights.append(p)
        for i in collectors.indices { collectors[i].append(p) }
        return p
    }

    /// Registers a non-trainable tensor (running statistics) named `name` holding `value`.
    public func buffer(_ name: String, _ value: Tensor) -> Parameter {
        let p = make(name, value)
        buffers.append(p)
        return p
    }

    /// Runs `build` and returns what it built with the weights it registered, in order: the
    /// per-edge per-op FIMT trace (SPEC §3) sums the squared gradients of exactly these.
    /// Calls nest; an inner call's weights also belong to every outer one.
    public func collectingWeights<T>(_ build: () throws -> T) rethrows -> (value: T, weights: [Parameter]) {
        collectors.append([])
        let value: T
        do { value = try build() } catch { collectors.removeLast(); throw error }
        return (value, collectors.removeLast())
    }

    private func make(_ name: String, _ value: Tensor) -> Parameter {
        precondition(names.insert(name).inserted, "parameter name \(name) registered twice")
        return Parameter(name: name, value: value)
    }
}
