// The supernet takes its shapes from its search space: α, the edge loop and the FIMT traces.

import Testing
import DartsCore
import Architecture
@testable import Search

@Test(arguments: [ActivationKind.softmax, .crb])
func supernetShapesComeFromItsSpace(_ activation: ActivationKind) {
    var rng = PhiloxRandom(seed: 3)
    let net = Supernet(SupernetConfiguration(channels: 2, layers: 3, classes: 10, inputChannels: 1,
                                             activation: activation), rng: &rng)
    let space = net.configuration.space
    #expect(space == (activation == .crb ? SearchSpace.cnnWithoutNone : .cnn))
    #expect(net.alphasNormal.value.shape == space.alphaShape && net.alphasReduce.value.shape == space.alphaShape)
    for cell in net.cells {
        #expect(cell.edges.count == space.edgeCount)
        #expect(cell.edges.allSatisfy { $0.ops.count == space.ops.count })
    }
    // Edge e op k is registered under `_ops.e._ops.k`; `none` has no parameters.
    let names = Set(net.weights.map(\.name))
    #expect(names.contains("cells.0._ops.13._ops.\(space.ops.firstIndex(of: "sep_conv_3x3")!).op.1.weight"))
    #expect(!names.contains { $0.hasPrefix("cells.0._ops.14.") })
    let x = Tensor(shape: [2, 1, 8, 8], scalars: rng.normal(count: 128))
    let tape = Tape()
    let loss = tape.crossEntropy(net.forward(tape, input: x, mode: .weightStep), labels: [1, 2])
    tape.backward(loss)
    let traces = net.edgeTraces()
    #expect(traces.normal.count == space.edgeCount * space.ops.count && traces.reduce.count == traces.normal.count)
    #expect(traces.normal.contains { $0 > 0 } && traces.reduce.contains { $0 > 0 })
    if activation == .softmax {
        // `none` owns no weights, so its column of the trace is zero.
        #expect((0..<space.edgeCount).allSatisfy { traces.normal[$0 * space.ops.count] == 0 })
    }
}
