// A deterministic commit loop for the SIGKILL crash test: `dartsprime store-torture` runs it in
// a child process that the test kills at random instants, then checks what survived.
import Foundation
import RunStore
import Training

public enum StoreTortureWorkload {
    /// The exact state committed for `step`, so a survivor can be compared bit for bit.
    public static func checkpoint(step: Int) -> Checkpoint {
        let n = 4096 + (step % 7) * 512
        let w = (0..<n).map { Float(step) + Float($0) * 1e-3 }
        return Checkpoint(step: step,
                          arrays: ["weights/w": .float32(shape: [n], w),
                                   "optimizer/m": .float64(shape: [n / 64, 64], w.prefix(n / 64 * 64).map { Double($0) * 0.5 }),
                                   "data/train/permutation": .int64(shape: [256], (0..<256).map { Int64(($0 * 31 + step) % 256) })],
                          scalars: ["clock": Double(step) * 0.1], integers: ["iteration": Int64(step)],
                          strings: ["note": "step \(step)"])
    }

    public static func historyRow(step: Int) -> HistoryRow {
        HistoryRow(step: step, values: ["loss": 1.0 / Double(step), "epoch": Double(step / 10)],
                   arrays: ["alphas": .float32(shape: [2, 3], (0..<6).map { Float($0 + step) })])
    }

    /// Opens (or creates) the run and commits steps latest+1 ... forever or up to `maxSteps`,
    /// printing "committed N" after each commit returns. `nonAtomic` writes every file in
    /// place instead (the crash test's negative control, which must be caught as broken).
    public static func run(at url: URL, maxSteps: Int = .max, nonAtomic: Bool = false) throws {
        let store = FileManager.default.fileExists(atPath: url.appendingPathComponent("run.json").path)
            ? try RunStore.open(at: url)
            // A fixed environment: gathering the real one (hashing the executable, asking git)
            // would widen the window before the first commit that the random kills aim at.
            : try RunStore.create(at: url, configurationJSON: "{\"torture\":true}", environment: ["workload": "store-torture"],
                                  retention: RetentionPolicy(keepLast: 2, keepEpochEnds: true, everyNth: 5))
        store.nonAtomicWritesForCrashTest = nonAtomic
        var step = (store.latestStep ?? 0) + 1
        while step <= maxSteps {
            try store.commit(checkpoint(step: step), history: historyRow(step: step), epochEnd: step % 10 == 0)
            StandardStreams.write("committed \(step)\n")
            step += 1
        }
    }
}
