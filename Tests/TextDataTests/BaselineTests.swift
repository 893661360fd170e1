// The uniform and unigram perplexities on hand-computed cases.
import Foundation
import Testing
@testable import TextData

@Suite struct BaselineTests {
    @Test func uniformIsTheVocabularySize() {
        #expect(Baselines.uniformPerplexity(vocabularySize: 7596) == 7596)
        // exp of the mean NLL of p = 1/V on any tokens is V.
        #expect(abs(exp(-log(1.0 / 50)) - Baselines.uniformPerplexity(vocabularySize: 50)) < 1e-9)
    }

    @Test func unigramByHand() {
        // In-sample, no smoothing: p = 1/2, 1/4, 1/4 → exp(−(2·log ½ + 2·log ¼)/4) = 2^1.5.
        let tokens = [0, 0, 1, 2]
        let own = Baselines.unigramPerplexity(fitted: tokens, evaluated: tokens, vocabularySize: 3, smoothing: 0)
        #expect(abs(own - pow(2, 1.5)) < 1e-12)
        // A uniform split is exactly as hard as the uniform model.
        #expect(abs(Baselines.unigramPerplexity(fitted: [0, 1, 2, 3], evaluated: [3, 2], vocabularySize: 4, smoothing: 0) - 4) < 1e-12)
        // Add-one over V = 4 with token 3 unseen: p(0) = 3/8, p(3) = 1/8.
        let smoothed = Baselines.unigramPerplexity(fitted: tokens, evaluated: [0, 3], vocabularySize: 4)
        #expect(abs(smoothed - exp(-(log(3.0 / 8) + log(1.0 / 8)) / 2)) < 1e-12)
        // Unseen without smoothing costs infinitely much.
        #expect(Baselines.unigramPerplexity(fitted: tokens, evaluated: [3], vocabularySize: 4, smoothing: 0) == .infinity)
    }
}
