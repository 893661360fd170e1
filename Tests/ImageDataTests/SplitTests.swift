// The train/α split and in-order evaluation batches.
import Testing
@testable import ImageData

@Suite struct SplitTests {
    @Test func firstFloorPNTrainTheWeights() {
        #expect(splitIndices(count: 10, trainFraction: 0.5) == (Array(0..<5), Array(5..<10)))
        #expect(splitIndices(count: 7, trainFraction: 0.5) == (Array(0..<3), Array(3..<7)))
        // p = 1 − 1/(1+10) is 10/11 up to rounding; ⌊10/11 · 11⌋ must be 10.
        let p = 1 - 1 / (1 + 10.0)
        #expect(splitIndices(count: 11, trainFraction: p).train.count == 10)
        #expect(splitIndices(count: 50_000, trainFraction: p).train.count == 45_454)
        #expect(splitIndices(count: 4, trainFraction: 0) == ([], Array(0..<4)))
        #expect(splitIndices(count: 4, trainFraction: 1) == (Array(0..<4), []))
    }

    @Test func evaluationBatchesInOrderWithoutAugmentation() {
        let data = randomDataset(.fashionMNIST, count: 9)
        let alpha = [8, 3, 5, 1, 0]
        let evals = batches(of: data, indices: alpha, batchSize: 2)
        #expect(evals.count == 3)
        #expect(evals.map { $0.indices } == [[8, 3], [5, 1], [0]])
        for b in evals {
            #expect(b.images == data.makeBatch(indices: b.indices).images)
            #expect(b.images.shape == [b.count, 1, 32, 32])
        }
    }
}
