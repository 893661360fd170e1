// The corpus dictionary: one index per distinct word, in order of first appearance.

/// Words in index order and the index of each word.
public struct Vocabulary: Sendable, Equatable {
    /// Word `k` is `words[k]`.
    public let words: [String]
    private let indices: [String: Int]

    init(words: [String]) {
        self.words = words
        indices = Dictionary(uniqueKeysWithValues: words.enumerated().map { ($1, $0) })
    }

    public var count: Int { words.count }

    /// The index of `word`, nil when the corpus never uses it.
    public func index(of word: String) -> Int? { indices[word] }

    /// The index of `<eos>`, the token that ends every line.
    public var endOfSentence: Int? { indices[Tokenizer.endOfSentence] }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool { a.words == b.words }
}
