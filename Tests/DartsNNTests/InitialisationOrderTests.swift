// Every layer draws its PyTorch-default weights from the caller's generator through
// `Initializer`, in creation order: the draws equal those of the supernet code before the
// layers moved here, which called `Initializer.uniformFanIn(shape:fanIn:)` once per weight,
// module by module, with fan-in (cin/groups)·k² (conv) or in (linear weight and bias).

import Testing
import DartsCore
import DartsNN

/// The old order, replayed by hand: one `uniformFanIn` per (shape, fan-in), in sequence.
func replay(_ draws: [(shape: [Int], fanIn: Int)], seed: UInt64) -> (tensors: [Tensor], rng: PhiloxRandom) {
    var rng = PhiloxRandom(seed: seed)
    let tensors = draws.map { Initializer.uniformFanIn(shape: $0.shape, fanIn: $0.fanIn, rng: &rng) }
    return (tensors, rng)
}

@Suite("Initialisation order")
struct InitialisationOrderTests {
    @Test("conv, linear, embedding: one draw each, with PyTorch's fan-in")
    func singleLayers() {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 5)
        let conv = Conv2D("stem.0", cin: 3, cout: 12, kernel: 3, padding: 1, registry: reg, rng: &rng)
        let dw = Conv2D("dw", cin: 4, cout: 4, kernel: 5, groups: 4, registry: reg, rng: &rng)
        let linear = Linear("classifier", inFeatures: 16, outFeatures: 10, registry: reg, rng: &rng)
        let old = replay([([12, 3, 3, 3], 27), ([4, 1, 5, 5], 25), ([10, 16], 16), ([10], 16)], seed: 5)
        #expect([conv.weight.value, dw.weight.value, linear.weight.value, linear.bias.value] == old.tensors)
        #expect(rng == old.rng)
        var r2 = PhiloxRandom(seed: 5)
        let embedding = Embedding("encoder", vocabulary: 7, dimension: 3, registry: ParameterRegistry(), rng: &r2)
        var r3 = PhiloxRandom(seed: 5)
        #expect(embedding.weight.value.scalars == r3.uniform(count: 21, low: -0.04, high: 0.04))
        #expect(r2 == r3)
    }

    @Test("composites draw their convs in PyTorch module order; BN draws nothing", arguments: [false, true])
    func composites(affine: Bool) {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 6)
        let rcb = ReLUConvBN("a", cin: 12, cout: 4, affine: affine, registry: reg, rng: &rng)
        let fr = FactorizedReduce("b", cin: 12, cout: 4, affine: affine, registry: reg, rng: &rng)
        let sep = SepConv("c", channels: 4, kernel: 5, stride: 2, padding: 2, affine: affine, registry: reg, rng: &rng)
        let dil = DilConv("d", channels: 4, kernel: 3, stride: 1, padding: 2, dilation: 2, affine: affine, registry: reg, rng: &rng)
        let old = replay([([4, 12, 1, 1], 12),
                          ([2, 12, 1, 1], 12), ([2, 12, 1, 1], 12),
                          ([4, 1, 5, 5], 25), ([4, 4, 1, 1], 4), ([4, 1, 5, 5], 25), ([4, 4, 1, 1], 4),
                          ([4, 1, 3, 3], 9), ([4, 4, 1, 1], 4)], seed: 6)
        let built = [rcb.conv.weight, fr.conv1.weight, fr.conv2.weight,
                     sep.depthwise1.weight, sep.pointwise1.weight, sep.depthwise2.weight, sep.pointwise2.weight,
                     dil.depthwise.weight, dil.pointwise.weight].map(\.value)
        #expect(built == old.tensors)
        #expect(rng == old.rng)
        let convNames = Set(reg.weights.filter { $0.shape.count == 4 }.map(\.name))
        #expect(reg.weights.filter { convNames.contains($0.name) }.map(\.value) == old.tensors,
                "the registry lists the drawn weights in draw order")
    }

    @Test("search and evaluation styles draw the same conv weights for the same op")
    func stylesDrawAlike() {
        for name in CellOperation.names {
            for s in [1, 2] {
                let a = ParameterRegistry(), b = ParameterRegistry()
                var ra = PhiloxRandom(seed: 8), rb = PhiloxRandom(seed: 8)
                _ = CellOperation(name: name, prefix: "p", channels: 4, stride: s, style: .search, registry: a, rng: &ra)
                _ = CellOperation(name: name, prefix: "p", channels: 4, stride: s, style: .evaluation, registry: b, rng: &rb)
                #expect(ra == rb, "\(name) s\(s)")
                #expect(a.weights.filter { $0.shape.count == 4 }.map(\.value) == b.weights.filter { $0.shape.count == 4 }.map(\.value))
            }
        }
    }
}
