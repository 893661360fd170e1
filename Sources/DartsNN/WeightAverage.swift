// The running average of averaged SGD (DARTS's switch to `torch.optim.ASGD(t0=0, lambd=0)`):
// the weights are trained by plain SGD and, from the switch on, their mean over the steps is
// kept; validation and test read the mean.

import DartsCore

/// The mean of every parameter over the steps `update` saw, keyed by `Parameter.name`.
///
/// Incremental, in Float32 as torch's `ax.add_(p.sub(ax).mul(mu))` with mu = 1/count, so the
/// mean is the hand mean up to rounding. (torch's ASGD sets mu from the step before, which
/// leaves the very first step's weights out of its mean; this keeps every step since the switch.)
public final class WeightAverage {
    /// Steps averaged so far.
    public var count: Int = 0
    /// The mean so far; empty before the first update. Public so checkpoints can store it.
    public var averages: [String: Tensor] = [:]

    public init() {}

    /// Adds the current values of `params` to the mean.
    public func update(_ params: [Parameter]) {
        count += 1
        let mu = Float(1) / Float(count)
        for p in params {
            guard count > 1, var ax = averages.removeValue(forKey: p.name) else {
                averages[p.name] = p.value  // the first step: the mean is the weights themselves
                continue
            }
            precondition(ax.shape == p.value.shape, "WeightAverage: \(p.name) has shape \(p.value.shape), its mean \(ax.shape)")
            p.value.withUnsafeBufferPointer { w in
                ax.withUnsafeMutableBufferPointer { a in
                    for i in 0..<a.count { a[i] += (w[i] - a[i]) * mu }
                }
            }
            averages[p.name] = ax
        }
    }

    /// Runs `body` with `params` holding their means (unchanged when nothing was averaged yet),
    /// then puts the trained values back.
    public func withAverages<R>(_ params: [Parameter], _ body: () throws -> R) rethrows -> R {
        guard count > 0 else { return try body() }
        let trained = params.map(\.value)
        for p in params {
            guard let ax = averages[p.name] else { preconditionFailure("WeightAverage: no mean of \(p.name)") }
            p.value = ax
        }
        defer { for (p, v) in zip(params, trained) { p.value = v } }
        return try body()
    }
}
