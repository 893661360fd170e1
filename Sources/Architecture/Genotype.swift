// The discrete architecture found by a search, in DARTS's `Genotype` form (SPEC §4, §7): one
// list of chosen (op, input) pairs per cell type of the search space, plus the cell's concat.

/// One chosen edge of a cell: operation `op` applied to state `input` (CNN: 0 = s0, 1 = s1,
/// 2+k = intermediate node k; RNN: 0 = s0, 1+k = node k).
public struct GenotypeEdge: Codable, Equatable, Hashable, Sendable {
    public var op: String
    public var input: Int
    public init(op: String, input: Int) { self.op = op; self.input = input }
}

/// The chosen edges of one cell type and the states its output concatenates (or averages).
public struct GenotypeCell: Codable, Equatable, Hashable, Sendable {
    /// The cell type, as in `SearchSpace.cellTypes` (`normal`, `reduce`, `recurrent`).
    public var type: String
    /// `keptInputs` pairs per node, node by node, strongest edge first.
    public var edges: [GenotypeEdge]
    public var concat: [Int]

    public init(type: String, edges: [GenotypeEdge], concat: [Int]) {
        self.type = type; self.edges = edges; self.concat = concat
    }
}

/// A genotype: one `GenotypeCell` per cell type, in the space's order.
///
/// `description` (GenotypeText.swift) is DARTS's Python syntax, so it can be pasted into the
/// PyTorch code and compared character for character with what that code prints. The CNN
/// accessors (`normal`, `reduce`, …) and the recurrent ones read and write the cell of that
/// type; asking a genotype for a cell type it does not have is a programming error.
public struct Genotype: Codable, Equatable, Hashable, Sendable {
    public var cells: [GenotypeCell]

    public init(cells: [GenotypeCell]) { self.cells = cells }

    /// A CNN genotype (SPEC §4): two pairs per node of the normal and the reduction cell.
    public init(normal: [GenotypeEdge], normalConcat: [Int] = [2, 3, 4, 5],
                reduce: [GenotypeEdge], reduceConcat: [Int] = [2, 3, 4, 5]) {
        self.init(cells: [GenotypeCell(type: "normal", edges: normal, concat: normalConcat),
                          GenotypeCell(type: "reduce", edges: reduce, concat: reduceConcat)])
    }

    /// A recurrent genotype (SPEC §7): one (activation, predecessor) pair per node.
    public init(recurrent: [GenotypeEdge], concat: [Int] = SearchSpace.recurrent.concat) {
        self.init(cells: [GenotypeCell(type: "recurrent", edges: recurrent, concat: concat)])
    }

    /// The genotype of activated α matrices, one per cell type of `space` in its order, by
    /// SPEC §4 projection (the space's column set: softmax 14×8, CRB 14×7, recurrent 36×5).
    public static func derive(activated: [[[Double]]], space: SearchSpace) -> Genotype {
        precondition(activated.count == space.cellTypes.count,
                     "derive: \(activated.count) α matrices for cell types \(space.cellTypes)")
        return Genotype(cells: zip(space.cellTypes, activated).map { type, alpha in
            let choices = project(activated: alpha, space: space).choices
            return GenotypeCell(type: type, edges: choices.map { GenotypeEdge(op: $0.op, input: $0.input) },
                                concat: space.concat)
        })
    }

    /// DARTS_V2 from the DARTS paper's `genotypes.py` (the evaluation fixture's genotype).
    public static let dartsV2 = Genotype(
        normal: [("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
                 ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)]
            .map { GenotypeEdge(op: $0.0, input: $0.1) },
        reduce: [("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
                 ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)]
            .map { GenotypeEdge(op: $0.0, input: $0.1) })

    /// DARTS_V2 from the DARTS paper's rnn `genotypes.py` (the recurrent cell it reports).
    public static let recurrentDartsV2 = Genotype(
        recurrent: [("sigmoid", 0), ("relu", 1), ("relu", 1), ("identity", 1),
                    ("tanh", 2), ("sigmoid", 5), ("tanh", 3), ("relu", 5)]
            .map { GenotypeEdge(op: $0.0, input: $0.1) })

    // MARK: - Cells by type

    /// Index of the cell of `type`; a missing type is a broken contract.
    private func index(of type: String) -> Int {
        guard let i = cells.firstIndex(where: { $0.type == type }) else {
            preconditionFailure("genotype has no `\(type)` cell (its cells: \(cells.map(\.type)))")
        }
        return i
    }

    public var normal: [GenotypeEdge] {
        get { cells[index(of: "normal")].edges }
        set { cells[index(of: "normal")].edges = newValue }
    }
    public var normalConcat: [Int] {
        get { cells[index(of: "normal")].concat }
        set { cells[index(of: "normal")].concat = newValue }
    }
    public var reduce: [GenotypeEdge] {
        get { cells[index(of: "reduce")].edges }
        set { cells[index(of: "reduce")].edges = newValue }
    }
    public var reduceConcat: [Int] {
        get { cells[index(of: "reduce")].concat }
        set { cells[index(of: "reduce")].concat = newValue }
    }
    public var recurrent: [GenotypeEdge] {
        get { cells[index(of: "recurrent")].edges }
        set { cells[index(of: "recurrent")].edges = newValue }
    }
    /// The concat of a single-cell (recurrent) genotype, DARTS's `concat` field.
    public var concat: [Int] {
        get { precondition(cells.count == 1, "`concat` of a genotype with \(cells.count) cells"); return cells[0].concat }
        set { precondition(cells.count == 1, "`concat` of a genotype with \(cells.count) cells"); cells[0].concat = newValue }
    }
}
