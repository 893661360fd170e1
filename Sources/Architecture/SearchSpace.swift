// A DARTS search space as one value: the candidate ops (α column order), the cell's shape
// (inputs, nodes, inputs kept per node) and its cell types. Projection, genotypes, regularisers,
// α initialisation and the supernet's edge loop all read their shapes from it, so the CNN space
// of SPEC §1 and the recurrent space of SPEC §7 go through the same code.

/// The shape of a DARTS cell and the operations that compete on each of its edges.
///
/// A cell has `cellInputs` states before its first intermediate node (CNN: s0 and s1; RNN: s0).
/// Node i reads every earlier state, so it has `cellInputs + i` incoming edges; edges are
/// numbered node by node (see `SearchSpace+Topology.swift`) and are the rows of every α matrix,
/// whose columns are `ops`. Projection keeps `keptInputs` edges per node and never chooses
/// `excludedOp`. There is one α matrix per cell type.
public struct SearchSpace: Codable, Equatable, Hashable, Sendable {
    /// Candidate operation names in α column order.
    public var ops: [String]
    /// States before the first intermediate node (2 for CNN cells, 1 for the recurrent cell).
    public var cellInputs: Int
    /// Intermediate nodes per cell.
    public var nodes: Int
    /// Incoming edges each node keeps when projected onto a discrete architecture.
    public var keptInputs: Int
    /// The op that never counts in projection (`none`); it may be absent from `ops` (CRB).
    public var excludedOp: String
    /// One α matrix and one genotype list per cell type, in this order.
    public var cellTypes: [String]

    public init(ops: [String], cellInputs: Int, nodes: Int, keptInputs: Int,
                excludedOp: String = "none", cellTypes: [String]) {
        precondition(cellInputs >= 1 && nodes >= 1, "SearchSpace: needs at least one input and one node")
        precondition(keptInputs >= 1 && keptInputs <= cellInputs,
                     "SearchSpace: node 0 has \(cellInputs) inputs and cannot keep \(keptInputs)")
        precondition(!cellTypes.isEmpty, "SearchSpace: needs at least one cell type")
        self.ops = ops
        self.cellInputs = cellInputs
        self.nodes = nodes
        self.keptInputs = keptInputs
        self.excludedOp = excludedOp
        self.cellTypes = cellTypes
    }

    // MARK: - The spaces of the SPEC

    /// SPEC §1: eight ops, cells with inputs s0 and s1, four nodes keeping two edges each, and
    /// a normal and a reduction cell (14 edges × 8 ops per α).
    public static let cnn = SearchSpace(ops: CNNOperation.allCases.map(\.rawValue), cellInputs: 2, nodes: 4,
                                        keptInputs: 2, cellTypes: ["normal", "reduce"])

    /// The CNN space as CRB sees it: `none` removed, the other seven ops in the same order (SPEC §5).
    public static let cnnWithoutNone = cnn.withoutExcludedOp

    /// SPEC §7: five ops, one input s0, eight nodes keeping their single strongest predecessor,
    /// one recurrent cell (36 edges × 5 ops).
    public static let recurrent = SearchSpace(ops: RecurrentOperation.allCases.map(\.rawValue), cellInputs: 1,
                                              nodes: 8, keptInputs: 1, cellTypes: ["recurrent"])

    /// The same space without the excluded op among its columns (what CRB's α has).
    public var withoutExcludedOp: SearchSpace {
        var s = self
        s.ops.removeAll { $0 == excludedOp }
        return s
    }

    // MARK: - Derived sizes

    /// Chosen (op, input) pairs per cell of a genotype: nodes × kept inputs.
    public var pairsPerCell: Int { nodes * keptInputs }

    /// The `[rows, cols]` shape of each α matrix: edges × ops.
    public var alphaShape: [Int] { [edgeCount, ops.count] }

    /// State indices of the cell output: every intermediate node (CNN [2, 3, 4, 5], RNN 1…8).
    public var concat: [Int] { Array(cellInputs..<(cellInputs + nodes)) }

    /// Column indices that projection may choose: every op but `excludedOp`.
    public var candidateColumns: [Int] { ops.indices.filter { ops[$0] != excludedOp } }
}
