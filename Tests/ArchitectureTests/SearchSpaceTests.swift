// The search-space values of the SPEC: sizes, edge numbering, the CRB column set, Codable.

import Foundation
import Testing
@testable import Architecture

/// Every (node, input) of `space` in edge order.
private func edgeList(_ space: SearchSpace) -> [(node: Int, input: Int)] {
    (0..<space.nodes).flatMap { n in (0..<space.inputs(node: n)).map { (n, $0) } }
}

@Test func cnnSpaceIsSpecSectionOne() {
    let s = SearchSpace.cnn
    #expect(s.ops == ["none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
                      "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"])
    #expect(s.cellInputs == 2 && s.nodes == 4 && s.keptInputs == 2 && s.excludedOp == "none")
    #expect(s.cellTypes == ["normal", "reduce"])
    #expect((0..<4).map { s.inputs(node: $0) } == [2, 3, 4, 5])
    #expect((0...4).map { s.firstEdge(node: $0) } == [0, 2, 5, 9, 14])
    #expect(s.edgeCount == 14 && s.alphaShape == [14, 8] && s.pairsPerCell == 8)
    #expect(s.concat == [2, 3, 4, 5])
    #expect(s.candidateColumns == Array(1..<8))
}

@Test func crbSpaceDropsNoneAndKeepsTheCell() {
    let s = SearchSpace.cnnWithoutNone
    #expect(s.ops == Array(SearchSpace.cnn.ops.dropFirst()))
    #expect(s.alphaShape == [14, 7] && s.candidateColumns == Array(0..<7))
    var same = s
    same.ops = SearchSpace.cnn.ops
    #expect(same == SearchSpace.cnn, "only the columns differ")
    #expect(s.withoutExcludedOp == s, "dropping `none` twice changes nothing")
}

@Test func recurrentSpaceIsSpecSectionSeven() {
    let s = SearchSpace.recurrent
    #expect(s.ops == ["none", "tanh", "relu", "sigmoid", "identity"])
    #expect(s.cellInputs == 1 && s.nodes == 8 && s.keptInputs == 1 && s.cellTypes == ["recurrent"])
    #expect((0..<8).map { s.inputs(node: $0) } == Array(1...8))
    #expect((0..<8).map { s.firstEdge(node: $0) } == [0, 1, 3, 6, 10, 15, 21, 28])
    #expect(s.edgeCount == 36 && s.alphaShape == [36, 5] && s.pairsPerCell == 8)
    #expect(s.concat == Array(1...8))
    #expect(s.edgeIndex(node: 7, input: 7) == 35)
}

@Test func edgeIndexAndEndpointsAreInverseInEverySpace() {
    for space in [SearchSpace.cnn, .cnnWithoutNone, .recurrent] {
        let edges = edgeList(space)
        #expect(edges.count == space.edgeCount)
        for (e, pair) in edges.enumerated() {
            #expect(space.edgeIndex(node: pair.node, input: pair.input) == e)
            let back = space.endpoints(edge: e)
            #expect(back.node == pair.node && back.input == pair.input, "edge \(e)")
        }
    }
}

@Test func spacesAreCodableAndHashable() throws {
    let all = [SearchSpace.cnn, .cnnWithoutNone, .recurrent]
    #expect(Set(all).count == 3)
    for s in all {
        #expect(try JSONDecoder().decode(SearchSpace.self, from: JSONEncoder().encode(s)) == s)
    }
}
