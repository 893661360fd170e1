// batchify and the batch layout of SPEC §7 on hand-made token sequences.
import Testing
@testable import TextData

@Suite struct BatchifyTests {
    /// 0…10 in 3 columns: the tail (9, 10) is dropped, columns read top to bottom.
    @Test func columnsReadTopToBottom() throws {
        let m = try TokenMatrix(batchifying: Array(0...10), columns: 3, source: "hand")
        #expect(m.rows == 3 && m.columns == 3)
        #expect(m.tokens == [0, 3, 6,
                             1, 4, 7,
                             2, 5, 8])
        #expect(m[2, 1] == 5)
        // Every size from 1 to 7 columns over 1…13 tokens: m[r, c] = tokens[c·rows + r], tail dropped.
        for n in 1...13 {
            for columns in 1...min(n, 7) {
                let seq = (0..<n).map { 100 + $0 }
                let b = try TokenMatrix(batchifying: seq, columns: columns, source: "s")
                #expect(b.rows == n / columns && b.tokens.count == b.rows * columns)
                for r in 0..<b.rows { for c in 0..<columns { #expect(b[r, c] == seq[c * b.rows + r]) } }
            }
        }
    }

    /// Inputs are rows i…i+ℓ−1, targets rows i+1…i+ℓ; the length is cut so targets stay inside.
    @Test func batchLayout() throws {
        let m = try TokenMatrix(batchifying: Array(0..<20), columns: 2, source: "hand")   // 10 rows
        let b = m.batch(at: 3, length: 4)
        #expect(b.row == 3 && b.length == 4 && b.columns == 2)
        #expect(b.inputs == [3, 13, 4, 14, 5, 15, 6, 16])
        #expect(b.targets == [4, 14, 5, 15, 6, 16, 7, 17])
        let end = m.batch(at: 7, length: 5)     // rows 7, 8 as inputs, 8, 9 as targets
        #expect(end.length == 2 && end.inputs == [7, 17, 8, 18] && end.targets == [8, 18, 9, 19])
        let last = m.batch(at: 8, length: 35)
        #expect(last.length == 1 && last.inputs == [8, 18] && last.targets == [9, 19])
    }

    /// The α batch sits at row i mod (rows − 1), bptt long, cut at the end.
    @Test func cyclicAlphaBatch() throws {
        let valid = try TokenMatrix(batchifying: Array(0..<12), columns: 2, source: "valid")  // 6 rows
        #expect(valid.cyclicBatch(trainRow: 0, length: 3) == valid.batch(at: 0, length: 3))
        let wrapped = valid.cyclicBatch(trainRow: 7, length: 3)   // 7 mod 5 = 2
        #expect(wrapped.row == 2 && wrapped.length == 3 && wrapped.inputs == [2, 8, 3, 9, 4, 10])
        let cut = valid.cyclicBatch(trainRow: 14, length: 3)      // 14 mod 5 = 4: one row left
        #expect(cut.row == 4 && cut.length == 1 && cut.targets == [5, 11])
    }

    /// Evaluation batches start every bptt rows and predict every token but each column's first
    /// exactly once; the per-token mean weights batches by their targets.
    @Test func evaluationSequences() throws {
        let m = try TokenMatrix(batchifying: Array(0..<30), columns: 3, source: "valid")   // 10 rows
        let e = try EvaluationSequences(data: m, bptt: 4)
        #expect(e.count == 3 && e.map(\.row) == [0, 4, 8] && e.map(\.length) == [4, 4, 1])
        let targets = e.flatMap(\.targets).sorted()
        #expect(targets == (0..<30).filter { $0 % 10 != 0 })
        #expect(try EvaluationSequences(data: m, bptt: 9).map(\.length) == [9])
        #expect(try EvaluationSequences(data: m, bptt: 3).map(\.length) == [3, 3, 3])
        // Batch losses 1, 1, 4 over 12, 12, 3 targets: (12 + 12 + 12) / 27.
        let mean = e.meanPerToken { $0.length == 1 ? 4 : 1 }
        #expect(abs(mean - 36.0 / 27.0) < 1e-15)
    }
}
