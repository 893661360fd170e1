// The shape of an evaluation network (SPEC §6): which genotype, how wide, how deep, how many
// classes and input channels, and whether it carries the auxiliary head.

import Architecture

/// What `EvaluationNetwork` builds: DARTS's `NetworkCIFAR(C, num_classes, layers, auxiliary,
/// genotype)` with the input channel count as a parameter (Fashion-MNIST has one).
public struct EvaluationConfiguration: Codable, Sendable, Equatable {
    /// A CNN genotype: a `normal` and a `reduce` cell, two (op, input) pairs per node.
    public var genotype: Genotype
    /// C: the first cells' channel count (the stem has 3C; each reduction cell doubles C).
    public var channels: Int
    /// L: the number of cells.
    public var layers: Int
    public var classes: Int
    public var inputChannels: Int
    /// Whether the network has the auxiliary head after cell ⌊2L/3⌋ (it runs in training only).
    public var auxiliary: Bool

    public init(genotype: Genotype, channels: Int, layers: Int, classes: Int, inputChannels: Int = 3,
                auxiliary: Bool = true) {
        self.genotype = genotype; self.channels = channels; self.layers = layers
        self.classes = classes; self.inputChannels = inputChannels; self.auxiliary = auxiliary
    }

    /// Cell i is a reduction cell at ⌊L/3⌋ and ⌊2L/3⌋ (as in search).
    public func isReduction(cell i: Int) -> Bool { i == layers / 3 || i == 2 * layers / 3 }

    /// The cell whose output feeds the auxiliary head: ⌊2L/3⌋, the second reduction cell.
    public var auxiliaryCell: Int { 2 * layers / 3 }

    /// The first problem that would keep this configuration from building, as one sentence, or
    /// nil. The genotype must have a `normal` and a `reduce` cell whose pairs come two per node,
    /// name operations the evaluation network builds (any of SPEC §1 but `none`), read states
    /// their node has, and concatenate existing states; the sizes must be positive (C may be odd:
    /// every FactorizedReduce sits in or after a reduction cell, where the width is doubled).
    public var problem: String? {
        if channels < 1 { return "the evaluation network needs at least one channel, got \(channels)" }
        if layers < 1 { return "the evaluation network needs at least one cell, got \(layers)" }
        if classes < 1 { return "the evaluation network needs at least one class, got \(classes)" }
        if inputChannels < 1 { return "the evaluation network needs at least one input channel, got \(inputChannels)" }
        let types = genotype.cells.map(\.type)
        guard types.contains("normal") && types.contains("reduce") else {
            return "the evaluation network needs a genotype with a normal and a reduce cell, got cells \(types)"
        }
        for cell in [genotype.cells.first { $0.type == "normal" }!, genotype.cells.first { $0.type == "reduce" }!] {
            if cell.edges.isEmpty || cell.edges.count % 2 != 0 {
                return "the \(cell.type) cell lists \(cell.edges.count) (op, input) pairs; it needs two per node"
            }
            for (i, e) in cell.edges.enumerated() {
                let node = i / 2
                if !Self.operations.contains(e.op) {
                    return "the \(cell.type) cell names '\(e.op)', which the evaluation network does not build (it builds \(Self.operations))"
                }
                if e.input < 0 || e.input >= 2 + node {
                    return "the \(cell.type) cell's pair ('\(e.op)', \(e.input)) is not a valid input of node \(node)"
                }
            }
            // A reduction cell's inputs keep their resolution, so only its nodes can be concatenated.
            let states = 2 + cell.edges.count / 2, first = cell.type == "reduce" ? 2 : 0
            if cell.concat.isEmpty || cell.concat.contains(where: { $0 < first || $0 >= states }) {
                return "the \(cell.type) cell concatenates \(cell.concat), but it can only concatenate states \(first)..<\(states)"
            }
        }
        return nil
    }

    /// The operations a genotype may name: SPEC §1's without `none` (DARTS's evaluation
    /// `OPS` can build `none`, but no projected genotype chooses it and torch_evalnet.py refuses it).
    public static let operations = CNNOperation.allCases.map(\.rawValue).filter { $0 != "none" }
}
