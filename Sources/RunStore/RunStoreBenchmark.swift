// Cost of committing one paper-size step (weights + momentum), for `dartsprime bench`.
import Foundation

public enum RunStoreBenchmark {
    /// Times `repetitions` commits of a state with `parameters` float32 weights plus as many
    /// momentum values, split into DARTS-like tensors (`tensorCount` of each), in a temporary
    /// run that is deleted afterwards. Returns the commit times in milliseconds, in run order
    /// (the caller reports the median). Includes hashing, HDF5 writing, fsyncs and retention.
    public static func commitMilliseconds(parameters: Int = 2_000_000, tensorCount: Int = 1_000,
                                          repetitions: Int = 5, directory: URL? = nil) throws -> [Double] {
        let base = directory ?? FileManager.default.temporaryDirectory
        let runURL = base.appendingPathComponent("dartsprime-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: runURL) }
        let store = try RunStore.create(at: runURL, configurationJSON: "{}", environment: [:],
                                        retention: RetentionPolicy(keepLast: 2, keepEpochEnds: false, everyNth: 0))
        let per = max(1, parameters / max(1, tensorCount))
        var arrays: [String: StoredArray] = [:]
        var x: UInt32 = 12345
        for t in 0..<tensorCount {
            var v = [Float](repeating: 0, count: per)
            for i in 0..<per { x = x &* 1_664_525 &+ 1_013_904_223; v[i] = Float(x >> 8) / 16_777_216 - 0.5 }
            arrays["weights/cells.\(t / 100)._ops.\(t % 100).weight"] = .float32(shape: [per], v)
            arrays["optimizer/sgd/momentum/cells.\(t / 100)._ops.\(t % 100).weight"] = .float32(shape: [per], v.map { $0 * 0.1 })
        }
        var times: [Double] = []
        for step in 1...max(1, repetitions) {
            let c = Checkpoint(step: step, arrays: arrays, scalars: ["lr": 0.025], integers: ["epoch": 0])
            let row = HistoryRow(step: step, values: ["loss": 1.0])
            let t0 = DispatchTime.now().uptimeNanoseconds
            try store.commit(c, history: row, epochEnd: false)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        return times
    }

    /// Median of a list of timings.
    public static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
