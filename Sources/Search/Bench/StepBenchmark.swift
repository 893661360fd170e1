// Times one first-order search iteration (α step on a validation batch, weight step on a
// training batch) on synthetic data, as ../shared/ref/torch_step_bench.py does for PyTorch.

import Foundation
import DartsCore
import DartsNN

public struct StepBenchmarkResult: Sendable {
    /// Per-iteration wall times of each phase, seconds.
    public var phases: [(name: String, seconds: [Double])]
    public var iterationSeconds: [Double]
    /// Process CPU seconds (user + system, all threads) of each timed iteration: on a shared
    /// machine wall time includes waiting for a core, CPU time does not.
    public var iterationCPUSeconds: [Double] = []
    public var peakRSSMegabytes: Double

    public static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }
}

public enum StepBenchmark {
    /// Runs one warm-up iteration and then `iterations` timed ones.
    public static func run(channels: Int, layers: Int, batchSize: Int, iterations: Int, weightOnly: Bool,
                           activation: ActivationKind = .softmax) -> StepBenchmarkResult {
        var rng = PhiloxRandom(seed: 0)
        let net = Supernet(SupernetConfiguration(channels: channels, layers: layers, classes: 10, inputChannels: 3,
                                                 activation: activation), rng: &rng)
        let sgd = SGD(lr: 0.025, momentum: 0.9, weightDecay: 3e-4)
        let adam = Adam(lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3)
        let shape = [batchSize, 3, 32, 32]
        let n = shape.reduce(1, *)
        let xt = Tensor(shape: shape, scalars: rng.normal(count: n))
        let xv = Tensor(shape: shape, scalars: rng.normal(count: n))
        let yt = (0..<batchSize).map { _ in rng.nextInt(below: 10) }
        let yv = (0..<batchSize).map { _ in rng.nextInt(below: 10) }
        var names = ["alpha_forward", "alpha_backward", "weight_forward", "weight_backward", "optimizer"]
        if weightOnly { names.removeFirst(2) }
        var phases = Dictionary(uniqueKeysWithValues: names.map { ($0, [Double]()) })
        var total: [Double] = []
        var cpu: [Double] = []

        func clock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        for i in 0...iterations {
            var t = clock()
            let start = t
            let cpuStart = processCPUSeconds()
            var marks: [(String, Double)] = []
            func mark(_ name: String) { let now = clock(); marks.append((name, now - t)); t = now }
            if !weightOnly {
                _ = net.backpropagate(images: xv, labels: yv, mode: .alphaStep, afterForward: { mark("alpha_forward") })
                mark("alpha_backward")
                adam.step(net.alphas)
            }
            _ = net.backpropagate(images: xt, labels: yt, mode: .weightStep, afterForward: { mark("weight_forward") })
            mark("weight_backward")
            _ = clipGradientNorm(net.weights, maxNorm: 5)
            sgd.step(net.weights)
            mark("optimizer")
            if i > 0 {  // iteration 0 warms up
                for (name, s) in marks { phases[name, default: []].append(s) }
                total.append(clock() - start)
                cpu.append(processCPUSeconds() - cpuStart)
            }
        }
        return StepBenchmarkResult(phases: names.map { ($0, phases[$0] ?? []) }, iterationSeconds: total,
                                   iterationCPUSeconds: cpu, peakRSSMegabytes: peakResidentMegabytes())
    }
}
