// Times one training iteration of the DARTS_V2 evaluation network on synthetic data, as
// ../shared/ref/torch_eval_bench.py does for PyTorch: forward with the auxiliary head and drop
// path, CE + 0.4·CE_aux, backward, clip to norm 5, SGD step (`dartsprime bench eval`).

import Foundation
import DartsCore
import DartsNN
import Architecture

/// Per-iteration times and the process's peak memory of an `EvaluationBenchmark` run.
public struct EvaluationBenchmarkResult: Sendable {
    /// Per-iteration wall times of each phase (`forward`, `backward`, `optimizer`), seconds.
    public var phases: [(name: String, seconds: [Double])]
    /// Wall time of each timed iteration, seconds.
    public var iterationSeconds: [Double]
    /// Process CPU seconds (user + system, all threads) of each timed iteration: on a shared
    /// machine wall time includes waiting for a core, CPU time does not.
    public var iterationCPUSeconds: [Double]
    /// Peak resident set size of the process (VmHWM), MB.
    public var peakRSSMegabytes: Double
    /// Trainable parameters without the auxiliary head (the reference prints the same count).
    public var parameters: Int

    public static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }
}

public enum EvaluationBenchmark {
    /// Builds DARTS_V2 at C = `channels`, L = `layers` (10 classes, 3×32×32 inputs, auxiliary
    /// head), runs one warm-up iteration and then `iterations` timed ones at drop-path
    /// probability `dropPath` (the reference benchmark's 0.1) with SPEC §6's optimiser
    /// (SGD lr 0.025, momentum 0.9, weight decay 3e−4, clip 5).
    public static func run(channels: Int, layers: Int, batchSize: Int, iterations: Int,
                           dropPath: Double = 0.1, genotype: Genotype = .dartsV2) -> EvaluationBenchmarkResult {
        precondition(batchSize > 1 && iterations > 0, "bench eval needs a batch of at least 2 and one timed iteration")
        var rng = PhiloxRandom(seed: 0)
        let net = EvaluationNetwork(EvaluationConfiguration(genotype: genotype, channels: channels, layers: layers,
                                                            classes: 10, inputChannels: 3, auxiliary: true),
                                    rng: &rng)
        let sgd = SGD(lr: 0.025, momentum: 0.9, weightDecay: 3e-4)
        let shape = [batchSize, 3, 32, 32]
        let x = Tensor(shape: shape, scalars: rng.normal(count: shape.reduce(1, *)))
        let y = (0..<batchSize).map { _ in rng.nextInt(below: 10) }
        var dropRNG = PhiloxRandom(seed: 1)
        let names = ["forward", "backward", "optimizer"]
        var phases = Dictionary(uniqueKeysWithValues: names.map { ($0, [Double]()) })
        var total: [Double] = [], cpu: [Double] = []

        func clock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        for i in 0...iterations {
            var t = clock()
            let start = t
            let cpuStart = processCPUSeconds()
            var marks: [(String, Double)] = []
            func mark(_ name: String) { let now = clock(); marks.append((name, now - t)); t = now }
            _ = net.backpropagate(images: x, labels: y, dropPath: dropPath, rng: &dropRNG,
                                  afterForward: { mark("forward") })
            mark("backward")
            _ = clipGradientNorm(net.weights, maxNorm: 5)
            sgd.step(net.weights)
            mark("optimizer")
            if i > 0 {  // iteration 0 warms up
                for (name, s) in marks { phases[name, default: []].append(s) }
                total.append(clock() - start)
                cpu.append(processCPUSeconds() - cpuStart)
            }
        }
        return EvaluationBenchmarkResult(phases: names.map { ($0, phases[$0] ?? []) }, iterationSeconds: total,
                                         iterationCPUSeconds: cpu, peakRSSMegabytes: peakResidentMegabytes(),
                                         parameters: net.parameterCount(includingAuxiliary: false))
    }
}
