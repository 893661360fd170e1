// The FIMT of SPEC §3 for any model: Σ over its weights of squared gradients, accumulated in
// Double in parameter order (the CNN supernet and the recurrent model share it).

import DartsCore

/// Σ over `parameters` of every gradient element squared, in order.
public func squaredGradientSum(_ parameters: [Parameter]) -> Double {
    var sum = 0.0
    for p in parameters {
        p.grad.withUnsafeBufferPointer { g in for v in g { sum += Double(v) * Double(v) } }
    }
    return sum
}
