// The other benchmarks at tiny sizes: each runs, measures something positive and finite, and
// the median they all report is the middle value (or the mean of the two middle values).
import Foundation
import Testing
import Benchmarks
import ImageData
import Search

@Suite struct BenchmarkSmokeTests {
    @Test func medianOfOddAndEvenCounts() {
        #expect(Timings.median([3, 1, 2]) == 2)
        #expect(Timings.median([4, 1, 3, 2]) == 2.5)
        #expect(Timings.median([]).isNaN)
    }

    @Test func imageDataBenchmarkMeasures() {
        let rate = ImageDataBenchmark.imagesPerSecond(kind: .cifar10, batchSize: 16, batches: 4, samples: 64)
        #expect(rate.isFinite && rate > 0)
    }

    @Test(arguments: [false, true])
    func stepBenchmarkTimesEveryPhase(weightOnly: Bool) {
        let r = StepBenchmark.run(channels: 2, layers: 3, batchSize: 2, iterations: 2, weightOnly: weightOnly)
        #expect(r.iterationSeconds.count == 2 && r.iterationSeconds.allSatisfy { $0 > 0 })
        #expect(r.phases.map(\.name).contains("alpha_forward") == !weightOnly)
        #expect(r.phases.allSatisfy { $0.seconds.count == 2 })
        #expect(r.peakRSSMegabytes > 1)
    }

    @Test func checkpointBenchmarkCommitsTheRealState() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-ck-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = SearchConfiguration()
        c.initChannels = 2; c.layers = 3; c.batchSize = 2; c.method = "prime"
        let r = try CheckpointBenchmark.run(configuration: c, steps: 1, repetitions: 2, directory: dir)
        #expect(r.commitMilliseconds.count == 2 && r.stepSeconds.count == 1)
        #expect(r.tensors > 10 && r.bytes > 0)
        // The temporary run is removed afterwards.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func tortureWorkloadStatesAreDeterministic() {
        #expect(StoreTortureWorkload.checkpoint(step: 4) == StoreTortureWorkload.checkpoint(step: 4))
        #expect(StoreTortureWorkload.checkpoint(step: 4) != StoreTortureWorkload.checkpoint(step: 5))
    }
}
