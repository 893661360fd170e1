// Projection in the recurrent space (SPEC §7): 36×5 α, one predecessor per node, `none`
// ignored, ties to the smaller input and the smaller op, and the genotype it derives.

import Testing
@testable import Architecture

/// The 36×5 α of the tests below: 0.1 everywhere except the listed (node, input, op) entries.
private func recurrentAlpha(_ entries: [(node: Int, input: Int, op: Int, value: Double)]) -> [[Double]] {
    let s = SearchSpace.recurrent
    var a = [[Double]](repeating: [Double](repeating: 0.1, count: 5), count: s.edgeCount)
    for e in entries { a[s.edgeIndex(node: e.node, input: e.input)][e.op] = e.value }
    return a
}

// Columns: 0 none, 1 tanh, 2 relu, 3 sigmoid, 4 identity.
private let handAlpha = recurrentAlpha([
    // Node 0 (one input): `none` at 0.9 does not count; the others tie at 0.1 → tanh.
    (0, 0, 0, 0.9),
    // Node 1: input 0 has a huge `none` but relu only 0.3; input 1 sigmoid 0.4 wins.
    (1, 0, 0, 0.95), (1, 0, 2, 0.3), (1, 1, 3, 0.4),
    // Node 2: inputs 0 (identity) and 2 (tanh) tie at 0.5 → input 0.
    (2, 0, 4, 0.5), (2, 2, 1, 0.5),
    // Node 3: input 3 has relu and identity tied at 0.6 → relu (smaller k).
    (3, 3, 2, 0.6), (3, 3, 4, 0.6),
    // Nodes 4–6: all 0.1 → input 0, tanh. Node 7: input 7 sigmoid 0.7.
    (7, 7, 3, 0.7),
])

@Test func recurrentProjectionKeepsOneInputPerNode() {
    let space = SearchSpace.recurrent
    let (mask, choices) = project(activated: handAlpha, space: space)
    let got = choices.map { "\($0.op)@\($0.input)" }
    #expect(got == ["tanh@0", "sigmoid@1", "identity@0", "relu@3", "tanh@0", "tanh@0", "tanh@0", "sigmoid@7"])
    #expect(mask.count == 36 && mask.allSatisfy { $0.count == 5 })
    let ones = [(0, 0, 1), (1, 1, 3), (2, 0, 4), (3, 3, 2), (4, 0, 1), (5, 0, 1), (6, 0, 1), (7, 7, 3)]
    for e in 0..<36 {
        let (node, input) = space.endpoints(edge: e)
        for k in 0..<5 {
            let want: Double = ones.contains { $0 == (node, input, k) } ? 1 : 0
            #expect(mask[e][k] == want, "mask[\(e)][\(k)] (node \(node), input \(input))")
        }
    }
    #expect(mask.allSatisfy { $0[0] == 0 }, "`none` is never chosen")
}

@Test func recurrentGenotypeIsDerivedInDartsSyntax() {
    let g = Genotype.derive(activated: [handAlpha], space: .recurrent)
    #expect(g.recurrent.count == 8 && g.concat == Array(1...8))
    #expect(g.description == "Genotype(recurrent=[('tanh', 0), ('sigmoid', 1), ('identity', 0), ('relu', 3), "
            + "('tanh', 0), ('tanh', 0), ('tanh', 0), ('sigmoid', 7)], concat=range(1, 9))")
}

@Test func recurrentProjectionWithoutNoneColumn() {
    // CRB's view of the recurrent space: four columns, tanh first.
    let space = SearchSpace.recurrent.withoutExcludedOp
    let a = handAlpha.map { Array($0.dropFirst()) }
    let got = project(activated: a, space: space).choices.map { "\($0.op)@\($0.input)" }
    // Node 1 input 0 keeps relu 0.3 < sigmoid 0.4 on input 1, so nothing moves.
    #expect(got == ["tanh@0", "sigmoid@1", "identity@0", "relu@3", "tanh@0", "tanh@0", "tanh@0", "sigmoid@7"])
}
