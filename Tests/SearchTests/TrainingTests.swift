// A small search on real Fashion-MNIST learns: its training loss falls (SPEC §2 loop, end to end
// in memory through the trainer, without the run store).

import Testing
import Foundation
@testable import Search
import Training
import ImageData

@Suite("Search on real data")
struct TrainingTests {
    @Test("a tiny DARTS search on Fashion-MNIST lowers its training loss",
          .enabled(if: FileManager.default.fileExists(atPath: DatasetKind.fashionMNIST.defaultDirectory)))
    func trainingLossFalls() throws {
        var c = SearchConfiguration.preset(.tiny)
        c.dataset = .fashionMNIST
        c.method = "darts"
        c.initChannels = 4
        c.batchSize = 16
        c.subset = 960
        c.epochs = 3
        let search = try CNNSearch(configuration: c)
        let trainer = Trainer(search)
        var losses: [Double] = []
        while search.counters.step < search.totalSteps {
            losses.append(try trainer.step().loss)
        }
        #expect(losses.count == 90)
        let first = losses.prefix(10).reduce(0, +) / 10
        let last = losses.suffix(10).reduce(0, +) / 10
        #expect(last < 0.7 * first, "first mean loss \(first), last \(last)")
        #expect(losses.allSatisfy { $0.isFinite })
    }
}
