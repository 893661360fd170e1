// Stochastic gradient descent with momentum and L2 weight decay, PyTorch `torch.optim.SGD` semantics.
//
// The weight optimiser of the search (SPEC §2). Its only state is one momentum buffer per
// parameter, keyed by the parameter's `state_dict` name, so a checkpoint can store it as one
// dataset per name and a resumed run continues bit-exactly.

import DartsCore

/// SGD with momentum (no dampening, no Nesterov) and weight decay added to the gradient.
///
/// One step, element by element, in Float32 exactly as PyTorch's single-tensor path:
/// `g = grad + wd·w`; `buf = g` on a parameter's first step, else `buf = momentum·buf + g`;
/// `w = w − lr·buf`.
public final class SGD {
    /// Learning rate; the caller sets it before each epoch from the cosine schedule.
    public var lr: Float
    public let momentum: Float
    public let weightDecay: Float
    /// Momentum buffers keyed by `Parameter.name`. A name that is absent has not stepped yet
    /// (PyTorch's "first step: buffer = gradient"). Public so checkpoints can save and restore it.
    public var momentumBuffers: [String: Tensor]

    public init(lr: Float, momentum: Float, weightDecay: Float) {
        self.lr = lr
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.momentumBuffers = [:]
    }

    /// Updates every parameter in place from its `grad` (which is left untouched).
    public func step(_ params: [Parameter]) {
        for p in params { step(p) }
    }

    private func step(_ p: Parameter) {
        precondition(p.grad.shape == p.value.shape,
                     "SGD: gradient of \(p.name) has shape \(p.grad.shape), value \(p.value.shape)")
        let lr = self.lr, mom = self.momentum, wd = self.weightDecay
        let existing = momentumBuffers.removeValue(forKey: p.name)
        let first = existing == nil
        var buf = existing ?? Tensor(shape: p.value.shape)
        precondition(buf.shape == p.value.shape,
                     "SGD: momentum buffer of \(p.name) has shape \(buf.shape), value \(p.value.shape)")
        let grad = p.grad
        p.value.withUnsafeMutableBufferPointer { w in
            buf.withUnsafeMutableBufferPointer { b in
                grad.withUnsafeBufferPointer { g in
                    for i in 0..<w.count {
                        let gi = wd != 0 ? g[i] + wd * w[i] : g[i]
                        let bi: Float
                        if mom == 0 { bi = gi } else { bi = first ? gi : mom * b[i] + gi }
                        b[i] = bi
                        w[i] = w[i] + (-lr) * bi
                    }
                }
            }
        }
        if mom != 0 { momentumBuffers[p.name] = buf }
    }
}
