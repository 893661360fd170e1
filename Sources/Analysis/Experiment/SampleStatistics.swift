// Mean and sample standard deviation over seeds, as the paper's tables report them.

import Foundation

public struct SampleStatistics: Equatable, Sendable {
    public var count: Int
    public var mean: Double
    /// The sample standard deviation (divisor n − 1); nil for a single value, where it is undefined.
    public var standardDeviation: Double?

    /// The statistics of `values`; nil when there are none.
    public static func of(_ values: [Double]) -> SampleStatistics? {
        guard !values.isEmpty else { return nil }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let std = values.count < 2 ? nil : (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        return SampleStatistics(count: values.count, mean: mean, standardDeviation: std)
    }
}
