// The experiment's grid and summary as values: task order and dependencies, the differing
// fields of two grids, the sample statistics (n − 1) against hand-worked numbers, and the
// table's rows, CSV and the runs it does not count.

import Testing
import Foundation
import Analysis
import ImageData
import Search
import Evaluation
import TextData

@Suite("ExperimentTable")
struct ExperimentTableTests {
    let grid = ExperimentGrid(methods: ["darts", "prime"], seeds: [101, 102, 103], datasets: [.fashionMNIST],
                              profile: .tiny, evaluate: true, evaluationProfile: .tiny)

    @Test func tasksAreSearchesThenTheirEvaluations() {
        let tasks = grid.tasks
        #expect(tasks.count == 12)
        #expect(tasks.map(\.index) == Array(0..<12))
        #expect(tasks[0].path == "fashion-mnist/darts/seed-101/search" && tasks[0].dependsOn == nil)
        #expect(tasks[5].path == "fashion-mnist/prime/seed-103/search")
        #expect(tasks[6].path == "fashion-mnist/darts/seed-101/evaluation" && tasks[6].dependsOn == 0)
        #expect(tasks[11].kind == .evaluation && tasks[11].dependsOn == 5 && tasks[11].cell == tasks[5].cell)
        var searchOnly = grid
        searchOnly.evaluate = false
        #expect(searchOnly.tasks.count == 6 && searchOnly.tasks.allSatisfy { $0.kind == .search })
    }

    @Test func differencesNameTheChangedFields() {
        var other = grid
        #expect(grid.differences(to: other).isEmpty)
        other.seeds = [101]
        other.profile = .demo
        #expect(grid.differences(to: other).map(\.description) == ["profile: tiny → demo", "seeds: 101,102,103 → 101"])
    }

    @Test func sampleStatisticsUseNMinusOne() throws {
        let s = try #require(SampleStatistics.of([2, 4, 4, 4, 5, 5, 7, 9]))
        #expect(s.count == 8 && s.mean == 5)
        // Σ(x − 5)² = 32; 32 / 7 (not 32 / 8 = 4, whose root 2 would be the population std).
        #expect(abs(try #require(s.standardDeviation) - (32.0 / 7).squareRoot()) < 1e-12)
        #expect(SampleStatistics.of([3.5])?.standardDeviation == nil)
        #expect(SampleStatistics.of([3.5])?.mean == 3.5)
        #expect(SampleStatistics.of([]) == nil)
    }

    @Test func tableAggregatesCountedCellsAndListsTheOthers() throws {
        let cells = grid.cells
        let values = [
            ExperimentCellValues(cell: cells[0], errorPercent: 10, parametersMillions: 0.5, searchSeconds: 30, alphaSteps: 12),
            ExperimentCellValues(cell: cells[1], errorPercent: 14, parametersMillions: 0.7, searchSeconds: 34, alphaSteps: 12),
            ExperimentCellValues(cell: cells[3], errorPercent: 20, parametersMillions: 0.4, searchSeconds: nil, alphaSteps: 5),
        ]
        let missing = ExperimentRunReport(task: grid.tasks[8], state: "missing")
        let failed = ExperimentRunReport(task: grid.tasks[4], state: "failed", detail: "x.h5: damaged")
        let table = ExperimentTable(grid: grid, values: values, notCounted: [failed, missing])
        #expect(table.rows.map(\.method) == ["darts", "prime"])
        let darts = table.rows[0], prime = table.rows[1]
        #expect(darts.seeds == [101, 102] && darts.errorSource == "evaluation")
        #expect(darts.error?.mean == 12 && abs((darts.error?.standardDeviation ?? 0) - 8.0.squareRoot()) < 1e-12)
        #expect(abs((darts.parametersMillions?.mean ?? 0) - 0.6) < 1e-12)
        #expect(darts.alphaSteps?.standardDeviation == 0)
        #expect(prime.seeds == [101] && prime.error?.mean == 20 && prime.error?.standardDeviation == nil)
        #expect(prime.searchSeconds == nil, "no recorded wall time: unknown, not 0")

        let csv = table.csv.split(separator: "\n").map(String.init)
        #expect(csv[0] == ExperimentTable.csvHeader)
        #expect(csv[1].hasPrefix("fashion-mnist,darts,evaluation,12.0,\(8.0.squareRoot()),"))
        #expect(csv[1].hasSuffix(",2,101 102,,"), "an image row's perplexity columns are empty")
        #expect(csv[2].hasPrefix("fashion-mnist,prime,evaluation,20.0,,"), "one seed: std left empty")
        let md = table.markdown
        #expect(md.contains("| fashion-mnist | darts | 12.00 ± 2.83 |"))
        #expect(md.contains("- fashion-mnist/darts/seed-103/evaluation: missing"))
        #expect(md.contains("- fashion-mnist/prime/seed-102/search: failed (x.h5: damaged)"))
        #expect(md.contains("(n − 1)"))
    }

    @Test func pennTreebankCellsKeepTheirLayoutAndOldManifestsStillRead() throws {
        let text = ExperimentGrid(methods: ["darts", "prime"], seeds: [101], datasets: [.ptb], data: ["ptb": "/d/ptb"],
                                  ptbLayout: .validAsTrain, profile: .tiny, evaluate: true, evaluationProfile: .tiny)
        #expect(text.tasks.map(\.path) == ["ptb/darts/seed-101/search", "ptb/prime/seed-101/search",
                                           "ptb/darts/seed-101/evaluation", "ptb/prime/seed-101/evaluation"])
        guard case .text(let search) = text.search(text.cells[1]) else { Issue.record("a ptb cell runs the recurrent search"); return }
        #expect(search.method == "prime" && search.seed == 101 && search.dataDirectory == "/d/ptb" && search.layout == .validAsTrain)
        #expect(search.hiddenSize == 16, "the tiny text preset")
        guard case .text(let evaluation) = text.evaluation(text.cells[0]) else { Issue.record("a ptb cell's evaluation is recurrent"); return }
        #expect(evaluation.seed == 101 && evaluation.hiddenSize == 16)
        guard case .image = grid.search(grid.cells[0]), case .image = grid.evaluation(grid.cells[0]) else {
            Issue.record("an image cell runs the CNN search and evaluation"); return
        }
        var other = text
        other.ptbLayout = .standard
        #expect(text.differences(to: other).map(\.description) == ["ptbLayout: valid-as-train → standard"])

        // An experiment.json grid written before ptb cells (no ptbLayout) decodes to the same grid,
        // and a grid without a layout writes no such key.
        let old = #"{"methods":["darts","prime"],"seeds":[101,102,103],"datasets":["fashion-mnist"],"data":{},"profile":"tiny","evaluate":true,"evaluationProfile":"tiny"}"#
        #expect(try JSONDecoder().decode(ExperimentGrid.self, from: Data(old.utf8)) == grid)
        #expect(!String(decoding: try JSONEncoder().encode(grid), as: UTF8.self).contains("ptbLayout"))
        let roundTrip = try JSONDecoder().decode(ExperimentGrid.self, from: try JSONEncoder().encode(text))
        #expect(roundTrip == text)
    }

    @Test func aMixedGridHasOneTablePerFigure() throws {
        let mixed = ExperimentGrid(methods: ["darts"], seeds: [101, 102], datasets: [.fashionMNIST, .ptb], profile: .tiny,
                                   evaluate: true, evaluationProfile: .tiny)
        let cells = mixed.cells
        #expect(cells.map(\.dataset) == [.fashionMNIST, .fashionMNIST, .ptb, .ptb])
        let values = [
            ExperimentCellValues(cell: cells[0], errorPercent: 10, parametersMillions: 0.5, searchSeconds: 30, alphaSteps: 12),
            ExperimentCellValues(cell: cells[1], errorPercent: 14, parametersMillions: 0.5, searchSeconds: 30, alphaSteps: 12),
            ExperimentCellValues(cell: cells[2], perplexity: 60, parametersMillions: 23, searchSeconds: 100, alphaSteps: 40),
            ExperimentCellValues(cell: cells[3], perplexity: 64, parametersMillions: 23, searchSeconds: 110, alphaSteps: 42),
        ]
        let table = ExperimentTable(grid: mixed, values: values, notCounted: [])
        let text = try #require(table.rows.last)
        #expect(text.metric == .perplexity && text.error == nil && text.perplexity?.mean == 62)
        #expect(abs((text.perplexity?.standardDeviation ?? 0) - 8.0.squareRoot()) < 1e-12)
        #expect(table.rows.first?.metric == .errorPercent && table.rows.first?.perplexity == nil)
        let md = table.markdown
        let errorTable = try #require(md.range(of: "| dataset | method | test error (%) |"))
        let perplexityTable = try #require(md.range(of: "| dataset | method | test perplexity |"))
        #expect(errorTable.lowerBound < perplexityTable.lowerBound)
        #expect(md.contains("| ptb | darts | 62.00 ± 2.83 | 23.000 ± 0.000 | 105.0 ± 7.1 | 41.0 ± 1.4 | 2 |"), "\(md)")
        #expect(md.contains("| fashion-mnist | darts | 12.00 ± 2.83 |"))
        let csv = table.csv.split(separator: "\n").map(String.init)
        #expect(csv[2].hasPrefix("ptb,darts,evaluation,,,23.0,0.0,"), "no error for a text row: \(csv[2])")
        #expect(csv[2].hasSuffix(",2,101 102,62.0,\(8.0.squareRoot())"), "\(csv[2])")
    }
}
