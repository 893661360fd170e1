// CRB pruning really removes work: pruned ops are not computed at all (SPEC §5), so the tape of
// a forward pass has fewer nodes and pruned ops' weights get no gradient.

import Testing
@testable import Search
import DartsCore

@Suite("CRB pruning")
struct CRBWorkTests {
    @Test("pruned ops are skipped in forward and backward")
    func prunedOpsAreSkipped() throws {
        var rng = PhiloxRandom(seed: 7)
        let net = Supernet(SupernetConfiguration(channels: 2, layers: 3, classes: 10, inputChannels: 1, activation: .crb), rng: &rng)
        let x = Tensor(shape: [2, 1, 8, 8], scalars: rng.normal(count: 128))
        func nodes() -> Int {
            let tape = Tape()
            let loss = tape.crossEntropy(net.forward(tape, input: x, mode: .weightStep), labels: [1, 2])
            let n = tape.count
            for p in net.weights { p.zeroGrad() }
            tape.backward(loss)
            return n
        }
        let full = nodes()
        // Prune every sep_conv_5x5 (CRB column 4) and dil_conv_5x5 (column 6) of both cell types.
        var pruning = [CRBPruning(count: 14 * 7), CRBPruning(count: 14 * 7)]
        for (i, alpha) in [net.alphasNormal, net.alphasReduce].enumerated() {
            alpha.value.withUnsafeMutableBufferPointer { a in
                for e in 0..<14 { a[e * 7 + 4] = -0.1; a[e * 7 + 6] = 0 }
            }
            pruning[i].prune(&alpha.value)
        }
        let pruned = nodes()
        #expect(pruned < full)
        // A pruned op's weights receive exactly zero gradient; an active op's do not.
        let sep5 = net.weights.filter { $0.name.contains("._ops.4.op.1.weight") }
        let sep3 = net.weights.filter { $0.name.contains("._ops.3.op.1.weight") }
        #expect(!sep5.isEmpty && !sep3.isEmpty)
        #expect(sep5.allSatisfy { $0.grad.scalars.allSatisfy { $0 == 0 } })
        #expect(sep3.contains { $0.grad.scalars.contains { $0 != 0 } })
    }
}
