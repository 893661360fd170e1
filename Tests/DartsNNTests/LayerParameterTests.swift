// Each public layer's parameter names (PyTorch state_dict keys of torch_supernet.py and
// torch_evalnet.py), shapes, counts and creation order.

import Testing
import DartsCore
import DartsNN

/// Names and shapes of a registry's weights and buffers, in creation order.
func layout(_ registry: ParameterRegistry) -> (weights: [String: [Int]], weightOrder: [String], buffers: [String]) {
    (Dictionary(uniqueKeysWithValues: registry.weights.map { ($0.name, $0.shape) }),
     registry.weights.map(\.name), registry.buffers.map(\.name))
}

func bnBuffers(_ prefix: String) -> [String] { [prefix + ".running_mean", prefix + ".running_var"] }

@Suite("Layer parameters")
struct LayerParameterTests {
    @Test("BatchNorm: γ, β only when affine; running statistics always, at their defaults", arguments: [false, true])
    func batchNorm(affine: Bool) {
        let reg = ParameterRegistry()
        let bn = BatchNorm("stem.1", channels: 3, affine: affine, registry: reg)
        #expect(reg.weights.map(\.name) == (affine ? ["stem.1.weight", "stem.1.bias"] : []))
        #expect(reg.buffers.map(\.name) == bnBuffers("stem.1"))
        #expect(bn.affine == affine)
        #expect(bn.runningMean.value.scalars == [0, 0, 0] && bn.runningVar.value.scalars == [1, 1, 1])
        if affine { #expect(bn.weight?.value.scalars == [1, 1, 1] && bn.bias?.value.scalars == [0, 0, 0]) }
    }

    @Test func conv2DShapesWithGroups() {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 1)
        let full = Conv2D("stem.0", cin: 3, cout: 12, kernel: 3, padding: 1, registry: reg, rng: &rng)
        let depthwise = Conv2D("d", cin: 4, cout: 4, kernel: 5, stride: 2, padding: 4, dilation: 2, groups: 4,
                               registry: reg, rng: &rng)
        #expect(full.weight.name == "stem.0.weight" && full.weight.shape == [12, 3, 3, 3])
        #expect(depthwise.weight.shape == [4, 1, 5, 5])
        #expect((depthwise.stride, depthwise.padding, depthwise.dilation, depthwise.groups) == (2, 4, 2, 4))
        #expect(reg.weights.count == 2 && reg.buffers.isEmpty)
    }

    @Test func linearAndEmbedding() {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 1)
        let linear = Linear("classifier", inFeatures: 64, outFeatures: 10, registry: reg, rng: &rng)
        let embedding = Embedding("encoder", vocabulary: 50, dimension: 6, registry: reg, rng: &rng)
        #expect(reg.weights.map(\.name) == ["classifier.weight", "classifier.bias", "encoder.weight"])
        #expect(linear.weight.shape == [10, 64] && linear.bias.shape == [10])
        #expect(linear.inFeatures == 64 && linear.outFeatures == 10)
        #expect(embedding.weight.shape == [50, 6] && embedding.vocabulary == 50 && embedding.dimension == 6)
        #expect(embedding.weight.value.scalars.allSatisfy { abs($0) <= 0.04 })
        #expect(embedding.weight.value.scalars.contains { abs($0) > 0.03 }, "spread over U(−0.04, 0.04)")
        #expect(reg.buffers.isEmpty)
    }

    @Test("ReLUConvBN: op.1 conv, op.2 BN", arguments: [false, true])
    func reluConvBN(affine: Bool) {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 1)
        _ = ReLUConvBN("cells.0.preprocess1", cin: 12, cout: 4, affine: affine, registry: reg, rng: &rng)
        let l = layout(reg)
        #expect(l.weightOrder == ["cells.0.preprocess1.op.1.weight"]
                + (affine ? ["cells.0.preprocess1.op.2.weight", "cells.0.preprocess1.op.2.bias"] : []))
        #expect(l.weights["cells.0.preprocess1.op.1.weight"] == [4, 12, 1, 1])
        #expect(l.buffers == bnBuffers("cells.0.preprocess1.op.2"))
    }

    @Test("FactorizedReduce: conv_1, conv_2 (cout/2 each, 1×1), bn", arguments: [false, true])
    func factorizedReduce(affine: Bool) {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 1)
        _ = FactorizedReduce("cells.2.preprocess0", cin: 16, cout: 8, affine: affine, registry: reg, rng: &rng)
        let l = layout(reg)
        let p = "cells.2.preprocess0"
        #expect(l.weightOrder == [p + ".conv_1.weight", p + ".conv_2.weight"] + (affine ? [p + ".bn.weight", p + ".bn.bias"] : []))
        #expect(l.weights[p + ".conv_1.weight"] == [4, 16, 1, 1] && l.weights[p + ".conv_2.weight"] == [4, 16, 1, 1])
        #expect(l.buffers == bnBuffers(p + ".bn"))
        if affine { #expect(l.weights[p + ".bn.weight"] == [8]) }
    }

    @Test("SepConv: op.1, op.2, op.3 BN, op.5, op.6, op.7 BN", arguments: [false, true])
    func sepConv(affine: Bool) {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 1)
        _ = SepConv("e", channels: 3, kernel: 5, stride: 2, padding: 2, affine: affine, registry: reg, rng: &rng)
        let l = layout(reg)
        let bn3 = affine ? ["e.op.3.weight", "e.op.3.bias"] : [], bn7 = affine ? ["e.op.7.weight", "e.op.7.bias"] : []
        #expect(l.weightOrder == ["e.op.1.weight", "e.op.2.weight"] + bn3 + ["e.op.5.weight", "e.op.6.weight"] + bn7)
        #expect(l.weights["e.op.1.weight"] == [3, 1, 5, 5] && l.weights["e.op.5.weight"] == [3, 1, 5, 5])
        #expect(l.weights["e.op.2.weight"] == [3, 3, 1, 1] && l.weights["e.op.6.weight"] == [3, 3, 1, 1])
        #expect(l.buffers == bnBuffers("e.op.3") + bnBuffers("e.op.7"))
        // 2·(3·25 + 9) conv weights, plus 2·2·3 γ/β when affine.
        #expect(reg.weights.reduce(0) { $0 + $1.value.count } == 168 + (affine ? 12 : 0))
    }

    @Test("DilConv: op.1 depthwise, op.2 pointwise, op.3 BN", arguments: [false, true])
    func dilConv(affine: Bool) {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 1)
        let op = DilConv("e", channels: 4, kernel: 3, stride: 1, padding: 2, dilation: 2, affine: affine, registry: reg, rng: &rng)
        let l = layout(reg)
        #expect(l.weightOrder == ["e.op.1.weight", "e.op.2.weight"] + (affine ? ["e.op.3.weight", "e.op.3.bias"] : []))
        #expect(l.weights["e.op.1.weight"] == [4, 1, 3, 3] && l.weights["e.op.2.weight"] == [4, 4, 1, 1])
        #expect(op.depthwise.dilation == 2 && op.depthwise.groups == 4)
        #expect(l.buffers == bnBuffers("e.op.3"))
    }

    @Test("ParameterRegistry attributes weights to nested collectors, not buffers")
    func collectingWeights() {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 1)
        _ = BatchNorm("before", channels: 2, affine: true, registry: reg)
        let (outer, outerWeights) = reg.collectingWeights { () -> Int in
            _ = Conv2D("a", cin: 2, cout: 2, kernel: 1, registry: reg, rng: &rng)
            let (_, inner) = reg.collectingWeights {
                BatchNorm("b", channels: 2, affine: true, registry: reg)
            }
            #expect(inner.map(\.name) == ["b.weight", "b.bias"])
            _ = BatchNorm("c", channels: 2, affine: false, registry: reg)
            return 42
        }
        #expect(outer == 42)
        #expect(outerWeights.map(\.name) == ["a.weight", "b.weight", "b.bias"])
        #expect(reg.weights.map(\.name) == ["before.weight", "before.bias", "a.weight", "b.weight", "b.bias"])
        #expect(reg.buffers.map(\.name) == bnBuffers("before") + bnBuffers("b") + bnBuffers("c"))
    }

    @Test("ParameterRegistry refuses a name registered twice")
    func duplicateNamesTrap() async {
        await #expect(processExitsWith: .failure) {
            let reg = ParameterRegistry()
            _ = reg.buffer("x.running_mean", Tensor(shape: [1]))
            _ = reg.weight("x.running_mean", Tensor(shape: [1]))
        }
    }
}
