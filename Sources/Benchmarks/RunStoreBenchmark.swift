// Cost of committing one paper-size step (weights + momentum), for `dartsprime bench`.
import Foundation
import RunStore

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

    /// Times `repetitions` commits of a supernet-like state: `tensorCount` float32 tensors
    /// totalling about `totalBytes`, with DARTS's size mix (many tiny batch-norm buffers and
    /// 1x1/depthwise kernels, a few large ones), nested under model/ and optimizer/ keys like
    /// the search loop's. 1500 tensors / 8 MB is roughly the C=16, L=8 weights plus buffers;
    /// 3000 / 16 MB adds momentum. Returns milliseconds per commit in run order.
    public static func supernetCommitMilliseconds(tensorCount: Int = 1_500, totalBytes: Int = 8 << 20,
                                                  repetitions: Int = 7, directory: URL? = nil) throws -> [Double] {
        let base = directory ?? FileManager.default.temporaryDirectory
        let runURL = base.appendingPathComponent("dartsprime-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: runURL) }
        let store = try RunStore.create(at: runURL, configurationJSON: "{}", environment: [:],
                                        retention: RetentionPolicy(keepLast: 2, keepEpochEnds: false, everyNth: 0))
        // Relative sizes cycling like a cell's parameters: BN weight/bias/mean/var (tiny),
        // depthwise kernels (small), 1x1 convs (medium), the occasional large kernel.
        let pattern = [1, 1, 1, 1, 9, 16, 1, 1, 25, 16, 1, 1, 1, 1, 64, 256]
        let weights = (0..<max(1, tensorCount)).map { pattern[$0 % pattern.count] }
        let totalFloats = max(tensorCount, totalBytes / 4)
        let unit = max(1, totalFloats / weights.reduce(0, +))
        var arrays: [String: StoredArray] = [:]
        var x: UInt32 = 12345
        for (t, w) in weights.enumerated() {
            let n = w * unit
            var v = [Float](repeating: 0, count: n)
            for i in 0..<n { x = x &* 1_664_525 &+ 1_013_904_223; v[i] = Float(x >> 8) / 16_777_216 - 0.5 }
            let cell = t / 120, edge = (t / 8) % 15, op = t % 8
            arrays["model/cells.\(cell)._ops.\(edge)._ops.\(op).op.\(t % 3).weight"] = .float32(shape: [n], v)
        }
        var times: [Double] = []
        for step in 1...max(1, repetitions) {
            let c = Checkpoint(step: step, arrays: arrays, scalars: ["lr": 0.025, "clock": Double(step)],
                               integers: ["epoch": 0, "iteration": Int64(step)], strings: ["note": "bench"])
            let row = HistoryRow(step: step, values: ["loss": 1.0, "acc": 0.5],
                                 arrays: ["alphas_normal": .float32(shape: [14, 8], [Float](repeating: 0.125, count: 112))])
            let t0 = DispatchTime.now().uptimeNanoseconds
            try store.commit(c, history: row, epochEnd: false)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        return times
    }
}
