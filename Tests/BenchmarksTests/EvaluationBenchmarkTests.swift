// The `bench eval` library function at a toy size: it runs and reports what the CLI prints.

import Testing
import Benchmarks

@Suite("Evaluation benchmark")
struct EvaluationBenchmarkTests {
    @Test("one warm-up and two timed iterations of DARTS_V2 at C 2, L 3, batch 2")
    func tiny() {
        let result = EvaluationBenchmark.run(channels: 2, layers: 3, batchSize: 2, iterations: 2)
        let r = result.timings
        #expect(r.iterationSeconds.count == 2 && r.iterationCPUSeconds.count == 2)
        #expect(r.phases.map(\.name) == ["forward", "backward", "optimizer"] && r.phases.allSatisfy { $0.seconds.count == 2 })
        #expect(r.iterationSeconds.allSatisfy { $0 > 0 } && Timings.median(r.iterationSeconds) > 0)
        #expect(r.peakRSSMegabytes > 1 && r.peakRSSMegabytes.isFinite)
        #expect(result.parameters > 0)
    }
}
