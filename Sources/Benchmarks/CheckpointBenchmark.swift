// Times what a search step spends committing its checkpoint: the real search state (model,
// optimisers, schedule, data streams) written through RunStore, against the step's own time.

import Foundation
import DartsCore
import ImageData
import RunStore
import Search
import Training

public struct CheckpointBenchmarkResult: Sendable {
    public var commitMilliseconds: [Double]
    public var stepSeconds: [Double]
    public var tensors: Int
    public var bytes: Int
}

public enum CheckpointBenchmark {
    /// Runs one warm-up and then `steps` timed real iterations of the search `c` describes (its
    /// size, method and seed; its data settings are ignored) on synthetic CIFAR-shaped data
    /// (timing each), then commits the resulting state `repetitions` times into a fresh run
    /// under `directory`.
    public static func run(configuration c: SearchConfiguration, steps: Int = 2, repetitions: Int = 9,
                           directory: URL) throws -> CheckpointBenchmarkResult {
        let batchSize = c.batchSize
        var rng = PhiloxRandom(seed: 1)
        let count = 4 * batchSize * (steps + 1)
        let pixels = (0..<count * 3 * 32 * 32).map { _ in UInt8(truncatingIfNeeded: rng.nextUInt32()) }
        let labels = (0..<count).map { _ in Int32(rng.nextInt(below: 10)) }
        let dataset = ImageDataset(kind: .cifar10, pixels: pixels, labels: labels)
        let trainer = Trainer(try CNNSearch(configuration: c, dataset: dataset))
        var stepSeconds: [Double] = []
        var output = StepOutput()
        // One untimed warm-up step first: the first step of a process page-faults in its
        // activation memory (≈ 1.5× a steady step), which would shrink the commit share.
        for i in 0...steps {
            let start = DispatchTime.now().uptimeNanoseconds
            output = try trainer.step()
            if i > 0 { stepSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        }
        let run = directory.appendingPathComponent("bench-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: run) }
        let store = try RunStore.create(at: run, configurationJSON: try StateJSON.encode(c), environment: [:],
                                        retention: RetentionPolicy(keepLast: 2, keepEpochEnds: false, everyNth: 0))
        var checkpoint = try trainer.checkpoint(output)
        var history = trainer.historyRow(output)
        var milliseconds: [Double] = []
        for r in 0...repetitions {
            checkpoint.step = r + 1
            history.step = r + 1
            let start = DispatchTime.now().uptimeNanoseconds
            try store.commit(checkpoint, history: history, epochEnd: false)
            // The first commit of a run builds the file layout once; steady state is what a search pays.
            if r > 0 { milliseconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
        }
        let bytes = checkpoint.arrays.values.reduce(0) { total, a in
            switch a.data {
            case let .float32(v): return total + 4 * v.count
            case let .float64(v): return total + 8 * v.count
            case let .int64(v): return total + 8 * v.count
            case let .uint8(v): return total + v.count
            }
        }
        return CheckpointBenchmarkResult(commitMilliseconds: milliseconds, stepSeconds: stepSeconds,
                                         tensors: checkpoint.arrays.count, bytes: bytes)
    }
}
