// Projection onto discrete architectures on hand-crafted α: ranking, ties, `none`, CRB.

import Testing
@testable import Architecture

/// 14 rows of `cols` zeros, with the given (row, col) = value entries.
private func matrix(cols: Int, _ entries: [(Int, Int, Double)]) -> [[Double]] {
    var m = [[Double]](repeating: [Double](repeating: 0, count: cols), count: 14)
    for (r, c, v) in entries { m[r][c] = v }
    return m
}

@Test func edgeNumberingIsNodeByNode() {
    let cnn = SearchSpace.cnn
    #expect(cnn.edgeCount == 14)
    #expect([0, 1, 2, 3].map { cnn.edgeIndex(node: $0, input: 0) } == [0, 2, 5, 9])
    #expect(cnn.edgeIndex(node: 3, input: 4) == 13)
    for e in 0..<14 {
        let (n, j) = cnn.endpoints(edge: e)
        #expect(cnn.edgeIndex(node: n, input: j) == e)
    }
    #expect(SearchSpace.cnn.ops.count == 8 && SearchSpace.cnnWithoutNone.ops.count == 7)
    #expect(SearchSpace.cnnWithoutNone.ops.first == "max_pool_3x3")
}

@Test func softmaxProjectionIgnoresNoneAndBreaksTiesTowardsSmallerIndices() {
    let space = SearchSpace.cnn
    var a = matrix(cols: 8, [])
    for r in 0..<14 { for c in 0..<8 { a[r][c] = 0.1 } }
    // Node 0 (edges 0, 1): `none` is huge on edge 1 but does not count; both edges kept.
    a[0][4] = 0.3; a[1][0] = 0.9; a[1][2] = 0.2
    // Node 1 (edges 2–4, inputs 0–2): input 2 strongest; inputs 0 and 1 tie at 0.25 → input 0.
    a[4][7] = 0.5; a[2][1] = 0.25; a[3][5] = 0.25
    // Node 2 (edges 5–8): input 3 has two ops tied at 0.4 → smaller k (sep_conv_5x5, k 5);
    // input 1 second at 0.35.
    a[8][5] = 0.4; a[8][6] = 0.4; a[6][3] = 0.35
    // Node 3 (edges 9–13): everything at 0.1 → inputs 0 and 1, op k = 1 (max_pool) on both.
    let (mask, choices) = project(activated: a, space: space)
    let expected: [(String, Int)] = [
        ("sep_conv_3x3", 0), ("avg_pool_3x3", 1),
        ("dil_conv_5x5", 2), ("max_pool_3x3", 0),
        ("sep_conv_5x5", 3), ("skip_connect", 1),
        ("max_pool_3x3", 0), ("max_pool_3x3", 1),
    ]
    #expect(choices.count == 8)
    for (c, e) in zip(choices, expected) { #expect(c.op == e.0 && c.input == e.1, "\(c) vs \(e)") }
    let ones = [(0, 4), (1, 2), (4, 7), (2, 1), (8, 5), (6, 3), (9, 1), (10, 1)]
    for r in 0..<14 {
        for c in 0..<8 {
            let want: Double = ones.contains { $0 == (r, c) } ? 1 : 0
            #expect(mask[r][c] == want, "mask[\(r)][\(c)]")
        }
    }
}

@Test func crbProjectionWorksOnSevenColumnsWithPrunedEdges() {
    let space = SearchSpace.cnnWithoutNone  // column 0 is max_pool_3x3
    // Node 0: both edges fully pruned (all 0) → still both kept, op column 0.
    // Node 1: input 1 at 1.0 (clipped), input 2 at 0.6, input 0 at 0.59.
    // Node 2: input 0 at 0.7 (k 6), input 2 at 0.7 (k 0) → tie, inputs 0 then 2.
    // Node 3: input 4 at 0.3 (k 3), input 3 at 0.2 (k 2).
    let a = matrix(cols: 7, [(3, 4, 1.0), (4, 1, 0.6), (2, 5, 0.59),
                             (5, 6, 0.7), (7, 0, 0.7), (13, 3, 0.3), (12, 2, 0.2)])
    let (mask, choices) = project(activated: a, space: space)
    let got = choices.map { "\($0.op)@\($0.input)" }
    #expect(got == ["max_pool_3x3@0", "max_pool_3x3@1",
                    "sep_conv_5x5@1", "avg_pool_3x3@2",
                    "dil_conv_5x5@0", "max_pool_3x3@2",
                    "sep_conv_3x3@4", "skip_connect@3"])
    #expect(mask.map { $0.reduce(0, +) } == [1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1])
    #expect(mask[3][4] == 1 && mask[12][2] == 1 && mask[7][0] == 1)
}

@Test func deriveBuildsBothCells() {
    let space = SearchSpace.cnn
    let normal = matrix(cols: 8, [(0, 4, 1), (1, 4, 1), (2, 4, 1), (3, 4, 1), (4, 4, 0.5), (6, 4, 1),
                                  (5, 3, 0.9), (9, 3, 1), (11, 6, 0.9)])
    let reduce = matrix(cols: 8, [(0, 1, 1), (1, 1, 1), (4, 3, 1), (3, 1, 0.9), (5, 1, 1),
                                  (7, 3, 1), (11, 3, 1), (10, 1, 0.9)])
    // Strongest edge first within each node, as DARTS_V2 lists them.
    let g = Genotype.derive(activated: [normal, reduce], space: space)
    #expect(g == Genotype.dartsV2)
}
