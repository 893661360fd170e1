// The discrete architecture found by a search, in DARTS's `Genotype` form (SPEC §4).

/// One chosen edge of a cell: operation `op` applied to state `input`
/// (0 = s0, 1 = s1, 2+k = intermediate node k).
public struct GenotypeEdge: Codable, Equatable, Hashable, Sendable {
    public var op: String
    public var input: Int
    public init(op: String, input: Int) { self.op = op; self.input = input }
}

/// A CNN genotype: two (op, input) pairs per intermediate node for each cell type.
///
/// `description` is DARTS's Python syntax, so it can be pasted into the PyTorch code and
/// compared character for character with what that code prints.
public struct Genotype: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var normal: [GenotypeEdge]
    public var normalConcat: [Int]
    public var reduce: [GenotypeEdge]
    public var reduceConcat: [Int]

    public init(normal: [GenotypeEdge], normalConcat: [Int] = [2, 3, 4, 5],
                reduce: [GenotypeEdge], reduceConcat: [Int] = [2, 3, 4, 5]) {
        self.normal = normal
        self.normalConcat = normalConcat
        self.reduce = reduce
        self.reduceConcat = reduceConcat
    }

    /// The genotype of activated α matrices (softmax 14×8 or CRB 14×7) by SPEC §4 projection.
    public static func derive(normalActivated: [[Double]], reduceActivated: [[Double]],
                              opNames: [String]) -> Genotype {
        let n = project(activated: normalActivated, opNames: opNames).choices
        let r = project(activated: reduceActivated, opNames: opNames).choices
        let nodes = normalActivated.count == 0 ? 0 : n.count / 2
        let concat = Array(2..<(2 + nodes))
        return Genotype(normal: n.map { GenotypeEdge(op: $0.op, input: $0.input) }, normalConcat: concat,
                        reduce: r.map { GenotypeEdge(op: $0.op, input: $0.input) }, reduceConcat: concat)
    }

    /// DARTS_V2 from the DARTS paper's `genotypes.py` (the evaluation fixture's genotype).
    public static let dartsV2 = Genotype(
        normal: [("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
                 ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)]
            .map { GenotypeEdge(op: $0.0, input: $0.1) },
        reduce: [("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
                 ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)]
            .map { GenotypeEdge(op: $0.0, input: $0.1) })

    public var description: String {
        func pairs(_ e: [GenotypeEdge]) -> String {
            "[" + e.map { "('\($0.op)', \($0.input))" }.joined(separator: ", ") + "]"
        }
        func ints(_ v: [Int]) -> String { "[" + v.map(String.init).joined(separator: ", ") + "]" }
        return "Genotype(normal=\(pairs(normal)), normal_concat=\(ints(normalConcat)), "
            + "reduce=\(pairs(reduce)), reduce_concat=\(ints(reduceConcat)))"
    }

    /// Reads DARTS's Python syntax (`description`'s format; concat may also be `range(2, 6)`,
    /// strings may use either quote, whitespace is free, fields may come in any order).
    /// Op names must be CNN operations and each pair's input must exist for its node.
    public init(parsing text: String) throws {
        let fields = try parseGenotypeArguments(text)
        for name in fields.keys where !["normal", "normal_concat", "reduce", "reduce_concat"].contains(name) {
            throw ArchitectureError.unknownField(name)
        }
        func edges(_ name: String) throws -> [GenotypeEdge] {
            guard let v = fields[name] else { throw ArchitectureError.missingField(name) }
            guard case let .pairs(p) = v else {
                throw ArchitectureError.genotypeSyntax(position: 0, expected: "a list of (op, input) pairs for `\(name)`",
                                                       found: "a list of integers")
            }
            for (i, e) in p.enumerated() {
                guard CNNOperation(rawValue: e.op) != nil else { throw ArchitectureError.unknownOperation(e.op) }
                guard e.input >= 0 && e.input <= i / 2 + 1 else {
                    throw ArchitectureError.invalidInput(op: e.op, input: e.input, node: i / 2)
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
        self.init(normal: try edges("normal"), normalConcat: try concat("normal_concat"),
                  reduce: try edges("reduce"), reduceConcat: try concat("reduce_concat"))
    }
}
