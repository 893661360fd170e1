// The one summary statistic every benchmark reports: the median, robust to the slow outlier
// runs a shared 2-core machine produces.

/// Summaries of repeated timings.
public enum Timings {
    /// Median of `xs` (mean of the two middle values for an even count); NaN when empty.
    public static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }
}
