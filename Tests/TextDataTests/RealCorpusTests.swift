// The real Penn Treebank valid and test files (../shared/data/ptb; no train file on these
// machines): token counts, dictionary, batch shapes at the search sizes, and the baselines.
import Foundation
import Testing
@testable import TextData

@Suite struct RealCorpusTests {
    /// `../shared/data/ptb` next to the repository (this file is three levels down).
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/ptb")
    static let present = TextCorpus.fileNames(.validAsTrain).allSatisfy {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
    }

    /// The figures, derived with the reference's Python tokenizer (`line.split() + ['<eos>']`):
    /// valid 73 760 tokens (70 390 words + 3 370 lines), test 82 430 (78 669 + 3 761), 6 022
    /// distinct words in valid and 7 596 over valid and test (not 10 000: that needs train).
    /// The naive String tokenizer recomputes them here.
    @Test(.enabled(if: present, "../shared/data/ptb is not there"))
    func validAndTestFiles() throws {
        let c = try TextCorpus.load(directory: Self.folder, layout: .validAsTrain)
        #expect(c.train.tokens.count == 73_760 && c.valid.tokens.count == 82_430)
        #expect(c.vocabulary.count == 7_596)
        #expect(Set(c.train.tokens).count == 6_022)
        let texts = try TextCorpus.fileNames(.validAsTrain).map {
            try String(contentsOf: Self.folder.appendingPathComponent($0), encoding: .utf8)
        }
        let oracle = NaiveTokenizer.corpus(texts)
        #expect(c.vocabulary.words == oracle.words && c.train.tokens == oracle.tokens[0] && c.valid.tokens == oracle.tokens[1])
        #expect(Array(c.vocabulary.words.prefix(3)) == ["consumers", "may", "want"])
        #expect(c.train.tokens.filter { $0 == c.vocabulary.endOfSentence }.count == 3_370)

        // The search sizes: train (here valid) in 256 columns gives 288 rows, ⌊288/35⌋ = 8 batches
        // per epoch; the α matrix is the same valid split; evaluation in 10 columns.
        let train = try TokenMatrix(batchifying: c.train, columns: 256)
        #expect(train.rows == 73_760 / 256 && train.rows == 288)
        let stream = try TruncatedBPTTStream(data: train, bptt: 35, random: .init(seed: 0))
        #expect(stream.batchesPerPass == 8)
        #expect(train.cyclicBatch(trainRow: 300, length: 35).row == 300 % 287)
        let eval = try EvaluationSequences(data: try TokenMatrix(batchifying: c.valid, columns: EvaluationSequences.validationColumns), bptt: 35)
        #expect(eval.data.rows == 8_243 && eval.count == (8_243 - 1 + 34) / 35)
        let test = try EvaluationSequences(data: try TokenMatrix(batchifying: c.test, columns: EvaluationSequences.testColumns), bptt: 35)
        #expect(test.data.rows == 82_430 && test.reduce(0) { $0 + $1.length } == 82_429)

        // Baselines a trained model must beat on the test file: uniform 7 596, unigram fitted on
        // valid with add-one smoothing, and the test file's own (in-sample) unigram perplexity.
        let v = c.vocabulary.count
        let uniform = Baselines.uniformPerplexity(vocabularySize: v)
        let unigram = Baselines.unigramPerplexity(fitted: c.train.tokens, evaluated: c.valid.tokens, vocabularySize: v)
        let own = Baselines.unigramPerplexity(fitted: c.valid.tokens, evaluated: c.valid.tokens, vocabularySize: v, smoothing: 0)
        #expect(own < unigram && unigram < uniform)
        print("PTB valid \(c.train.tokens.count) tokens, test \(c.valid.tokens.count), vocabulary \(v); test perplexity: "
              + "uniform \(uniform), unigram(valid, add-one) \(String(format: "%.2f", unigram)), own unigram \(String(format: "%.2f", own))")
    }
}
