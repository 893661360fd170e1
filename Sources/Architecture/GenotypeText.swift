// A genotype as DARTS's Python text and back (SPEC §4, §7).
//
// DARTS writes two forms: the CNN `Genotype(normal=[…], normal_concat=[2, 3, 4, 5], reduce=[…],
// reduce_concat=[2, 3, 4, 5])` of cnn/genotypes.py, and the recurrent `Genotype(recurrent=[…],
// concat=range(1, 9))` of rnn/genotypes.py. The rule that covers both: each cell type is a
// field; with several cell types each has its own `<type>_concat` written as a list, with a
// single one the field is `concat`, written as `range(a, b)` as Python 3 prints it.

extension Genotype: CustomStringConvertible {
    public var description: String {
        func pairs(_ e: [GenotypeEdge]) -> String {
            "[" + e.map { "('\($0.op)', \($0.input))" }.joined(separator: ", ") + "]"
        }
        func ints(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ", ") + "]" }
        func concatText(_ v: [Int]) -> String {
            guard cells.count == 1, let a = v.first, v == Array(a..<(a + v.count)) else { return ints(v) }
            return "range(\(a), \(a + v.count))"
        }
        let fields = cells.map { c in
            "\(c.type)=\(pairs(c.edges)), \(concatField(c.type, cellCount: cells.count))=\(concatText(c.concat))"
        }
        return "Genotype(" + fields.joined(separator: ", ") + ")"
    }

    /// Reads DARTS's Python syntax for a genotype of `space` (`description`'s format; a concat
    /// may be a list or `range(a, b)`, strings may use either quote, whitespace is free, fields
    /// may come in any order).
    ///
    /// Each cell must list `nodes × keptInputs` pairs, name ops of the space and read inputs
    /// its node has; the first problem found is thrown as one sentence.
    public init(parsing text: String, space: SearchSpace = .cnn) throws {
        let fields = try parseGenotypeArguments(text)
        let known = space.cellTypes.flatMap { [$0, concatField($0, cellCount: space.cellTypes.count)] }
        for name in fields.keys.sorted() where !known.contains(name) {
            throw ArchitectureError.unknownField(name)
        }
        func edges(_ name: String) throws -> [GenotypeEdge] {
            guard let v = fields[name] else { throw ArchitectureError.missingField(name) }
            guard case let .pairs(p) = v else {
                throw ArchitectureError.genotypeSyntax(position: 0, expected: "a list of (op, input) pairs for `\(name)`",
                                                       found: "a list of integers")
            }
            guard p.count == space.pairsPerCell else {
                throw ArchitectureError.wrongPairCount(field: name, found: p.count, expected: space.pairsPerCell)
            }
            for (i, e) in p.enumerated() {
                guard space.ops.contains(e.op) else { throw ArchitectureError.unknownOperation(e.op) }
                let node = i / space.keptInputs
                guard e.input >= 0 && e.input < space.inputs(node: node) else {
                    throw ArchitectureError.invalidInput(op: e.op, input: e.input, node: node)
                }
            }
            return p
        }
        func concat(_ name: String) throws -> [Int] {
            guard let v = fields[name] else { throw ArchitectureError.missingField(name) }
            switch v {
            case let .integers(x): return x
            case let .pairs(p) where p.isEmpty: return []
            case .pairs:
                throw ArchitectureError.genotypeSyntax(position: 0, expected: "a list of integers for `\(name)`",
                                                       found: "a list of pairs")
            }
        }
        let n = space.cellTypes.count
        self.init(cells: try space.cellTypes.map { type in
            GenotypeCell(type: type, edges: try edges(type), concat: try concat(concatField(type, cellCount: n)))
        })
    }
}

/// The concat field of cell `type` in a genotype of `cellCount` cell types (`normal_concat`, or
/// `concat` when there is only one).
func concatField(_ type: String, cellCount: Int) -> String {
    cellCount == 1 ? "concat" : type + "_concat"
}
