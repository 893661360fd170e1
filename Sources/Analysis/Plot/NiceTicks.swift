// Axis ticks at round numbers (1, 2 or 5 × 10^k) covering the data, and their labels with just
// enough decimals to tell neighbours apart, so axes read like a hand-drawn plot's.

import Foundation

public struct NiceTicks: Equatable, Sendable {
    /// The axis range, widened to whole ticks.
    public var lower: Double
    public var upper: Double
    public var step: Double
    public var values: [Double]

    /// About `target` ticks over `lower…upper`; an empty or degenerate range is widened around its
    /// value. `tight` keeps the range as given (steps: the axis ends at the last step) with the
    /// ticks inside it; otherwise the range widens to whole ticks.
    public init(lower: Double, upper: Double, target: Int = 5, tight: Bool = false) {
        var lo = lower, hi = upper
        if !lo.isFinite || !hi.isFinite { lo = 0; hi = 1 }
        if hi < lo { swap(&lo, &hi) }
        if hi - lo < 1e-12 * max(1, abs(hi)) {
            let pad = abs(lo) > 0 ? abs(lo) * 0.1 : 1
            lo -= pad; hi += pad
        }
        let step = Self.niceStep((hi - lo) / Double(max(1, target - 1)))
        let first = (lo / step).rounded(tight ? .up : .down), last = (hi / step).rounded(tight ? .down : .up)
        self.step = step
        self.lower = tight ? lo : first * step
        self.upper = tight ? hi : last * step
        values = stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// 1, 2 or 5 × 10^k, the nearest to `raw` by ratio (so 0…1 gets steps of 0.2, 0…87 of 20).
    static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * magnitude }.min { abs(log($0 / raw)) < abs(log($1 / raw)) }!
    }

    /// The label of tick `v`: fixed decimals from the step, or scientific for very large/small axes.
    public func label(_ v: Double) -> String {
        let biggest = max(abs(lower), abs(upper))
        if biggest >= 1e5 || (step < 1e-3 && biggest < 1e-2) {
            return v == 0 ? "0" : String(format: "%.1e", v)
        }
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        let text = String(format: "%.\(decimals)f", abs(v) < step * 1e-6 ? 0 : v)
        return text
    }
}
