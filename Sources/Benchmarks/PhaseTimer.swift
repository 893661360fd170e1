// The timing loop every training-step benchmark shares: one untimed warm-up iteration (the first
// pass page-faults in its activation memory), then timed iterations whose phases the body
// marks; wall and process CPU seconds per iteration, and the process's peak RSS.

import Foundation
import DartsCore

/// Per-iteration times of a step benchmark.
public struct IterationTimings: Sendable {
    /// Per-iteration wall times of each phase, seconds, in the order given.
    public var phases: [(name: String, seconds: [Double])]
    public var iterationSeconds: [Double]
    /// Process CPU seconds (user + system, all threads) of each timed iteration: on a shared
    /// machine wall time includes waiting for a core, CPU time does not.
    public var iterationCPUSeconds: [Double]
    /// Peak resident set size of the process (VmHWM), MB.
    public var peakRSSMegabytes: Double
}

enum PhaseTimer {
    /// Runs `body` once untimed, then `iterations` times; `body` calls `mark(name)` at the end
    /// of each of the `phases`.
    static func run(iterations: Int, phases names: [String], _ body: (_ mark: (String) -> Void) -> Void) -> IterationTimings {
        func clock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        var phases = Dictionary(uniqueKeysWithValues: names.map { ($0, [Double]()) })
        var total: [Double] = [], cpu: [Double] = []
        for i in 0...iterations {
            var t = clock()
            let start = t
            let cpuStart = processCPUSeconds()
            var marks: [(String, Double)] = []
            body { name in let now = clock(); marks.append((name, now - t)); t = now }
            if i > 0 {  // iteration 0 warms up
                for (name, s) in marks { phases[name, default: []].append(s) }
                total.append(clock() - start)
                cpu.append(processCPUSeconds() - cpuStart)
            }
        }
        return IterationTimings(phases: names.map { ($0, phases[$0] ?? []) }, iterationSeconds: total,
                                iterationCPUSeconds: cpu, peakRSSMegabytes: peakResidentMegabytes())
    }
}
