// Perplexities a language model must beat: the uniform distribution over the vocabulary and a
// unigram model of word frequencies.
import Foundation

public enum Baselines {
    /// A uniform model's perplexity: exp(log V) = V, whatever the tokens.
    public static func uniformPerplexity(vocabularySize: Int) -> Double { Double(vocabularySize) }

    /// The perplexity on `evaluated` of the unigram model fitted to `fitted`, with add-`smoothing`
    /// counts over the whole vocabulary (words the fitted split never uses keep a finite cost):
    /// p(w) = (count(w) + smoothing) / (|fitted| + smoothing·V), perplexity = exp(−mean log p).
    /// With `fitted` = `evaluated` and smoothing 0 it is the split's own unigram perplexity, the
    /// least any unigram model reaches on it.
    public static func unigramPerplexity(fitted: [Int], evaluated: [Int], vocabularySize: Int,
                                         smoothing: Double = 1) -> Double {
        precondition(vocabularySize > 0 && smoothing >= 0, "a unigram model needs V > 0 and smoothing ≥ 0")
        precondition(!evaluated.isEmpty, "perplexity of no tokens")
        var counts = [Int](repeating: 0, count: vocabularySize)
        for t in fitted {
            precondition(t >= 0 && t < vocabularySize, "token \(t) outside the vocabulary of \(vocabularySize)")
            counts[t] += 1
        }
        let total = Double(fitted.count) + smoothing * Double(vocabularySize)
        var logSum = 0.0
        for t in evaluated {
            precondition(t >= 0 && t < vocabularySize, "token \(t) outside the vocabulary of \(vocabularySize)")
            logSum += log((Double(counts[t]) + smoothing) / total)
        }
        return exp(-logSum / Double(evaluated.count))
    }
}
