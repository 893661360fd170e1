// The op builder: every SPEC §1 op in both styles at both strides, with the names of
// torch_supernet.py's `make_op` (search) and torch_evalnet.py's `make_op` (evaluation).

import Testing
import DartsCore
import DartsNN

struct OpCase: Sendable, CustomStringConvertible {
    var name: String
    var stride: Int
    var style: OperationStyle
    var description: String { "\(name) s\(stride) \(style)" }
}

let allOpCases: [OpCase] = CellOperation.names.flatMap { n in
    [1, 2].flatMap { s in OperationStyle.allCases.map { OpCase(name: n, stride: s, style: $0) } }
}

/// The state_dict keys PyTorch gives op `name` under prefix `p` (weights, then buffers).
func torchNames(_ c: OpCase, _ p: String) -> (weights: [String], buffers: [String]) {
    let affine = c.style == .evaluation
    func bn(_ q: String) -> (weights: [String], buffers: [String]) {
        (affine ? [q + ".weight", q + ".bias"] : [], bnBuffers(q))
    }
    switch c.name {
    case "none": return ([], [])
    case "max_pool_3x3", "avg_pool_3x3":
        return affine ? ([], []) : ([], bnBuffers(p + ".1"))  // nn.Sequential(pool, BN(affine=False))
    case "skip_connect":
        if c.stride == 1 { return ([], []) }
        let b = bn(p + ".bn")
        return ([p + ".conv_1.weight", p + ".conv_2.weight"] + b.weights, b.buffers)
    case "sep_conv_3x3", "sep_conv_5x5":
        let b3 = bn(p + ".op.3"), b7 = bn(p + ".op.7")
        return ([p + ".op.1.weight", p + ".op.2.weight"] + b3.weights + [p + ".op.5.weight", p + ".op.6.weight"] + b7.weights,
                b3.buffers + b7.buffers)
    default:  // dil_conv_3x3, dil_conv_5x5
        let b = bn(p + ".op.3")
        return ([p + ".op.1.weight", p + ".op.2.weight"] + b.weights, b.buffers)
    }
}

@Suite("Cell operation builder")
struct CellOperationTests {
    @Test("names follow the PyTorch modules", arguments: allOpCases)
    func names(_ c: OpCase) {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 3)
        let prefix = c.style == .search ? "cells.1._ops.4._ops.5" : "cells.1._ops.4"
        _ = CellOperation(name: c.name, prefix: prefix, channels: 4, stride: c.stride, style: c.style, registry: reg, rng: &rng)
        let expected = torchNames(c, prefix)
        #expect(reg.weights.map(\.name) == expected.weights)
        #expect(reg.buffers.map(\.name) == expected.buffers)
    }

    @Test("evaluation-style pools register nothing; search-style ones only BN buffers under .1",
          arguments: ["max_pool_3x3", "avg_pool_3x3"], [1, 2])
    func pools(_ name: String, _ stride: Int) {
        let evalReg = ParameterRegistry(), searchReg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 3)
        let before = rng
        let e = CellOperation(name: name, prefix: "p", channels: 4, stride: stride, style: .evaluation, registry: evalReg, rng: &rng)
        let s = CellOperation(name: name, prefix: "p", channels: 4, stride: stride, style: .search, registry: searchReg, rng: &rng)
        #expect(evalReg.weights.isEmpty && evalReg.buffers.isEmpty)
        #expect(searchReg.weights.isEmpty && searchReg.buffers.map(\.name) == ["p.1.running_mean", "p.1.running_var"])
        #expect(searchReg.buffers.allSatisfy { $0.shape == [4] })
        #expect(rng == before, "pools draw nothing")
        // Evaluation style is the bare pool; search style normalises it (batch statistics, no γ/β).
        let x = randomValues([2, 4, 5, 5], seed: 9)
        let tape = Tape(recording: false)
        let v = tape.constant(x)
        let bare = name == "max_pool_3x3" ? tape.maxPool2d(v, kernel: 3, stride: stride, padding: 1)
                                          : tape.avgPool2d(v, kernel: 3, stride: stride, padding: 1)
        let mode = ForwardMode(training: true, weightsRequireGrad: false, alphasRequireGrad: false)
        #expect(tape.value(e(v, tape, mode)) == tape.value(bare))
        let normed = tape.value(s(v, tape, mode))
        #expect(normed.shape == tape.value(bare).shape)
        let hw = normed.count / 8  // (2, 4, oh, ow)
        for ch in 0..<4 {
            var mean = 0.0
            for n in 0..<2 { for i in 0..<hw { mean += Double(normed[flat: (n * 4 + ch) * hw + i]) } }
            #expect(abs(mean / Double(2 * hw)) < 1e-5, "channel \(ch) of the search-style pool has mean 0")
        }
    }

    @Test("avg pool in evaluation style does not count padded cells")
    func avgPoolExcludesPadding() {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 3)
        let op = CellOperation(name: "avg_pool_3x3", prefix: "p", channels: 1, stride: 1, style: .evaluation, registry: reg, rng: &rng)
        let tape = Tape(recording: false)
        let y = tape.value(op(tape.constant(Tensor(shape: [1, 1, 3, 3], repeating: 2)), tape, .evaluation))
        #expect(y.scalars == [Float](repeating: 2, count: 9), "a constant image stays constant at the borders")
    }

    @Test("parameter counts on C=4 in evaluation style")
    func evaluationCounts() {
        // sep 3×3: 2·(4·9 + 16) + 2·8 = 120; sep 5×5: 2·(4·25 + 16) + 16 = 248;
        // dil 3×3: 4·9 + 16 + 8 = 60; dil 5×5: 4·25 + 16 + 8 = 124; stride-2 skip: 2·(2·4) + 8 = 24.
        let expected: [String: [Int]] = ["none": [0, 0], "max_pool_3x3": [0, 0], "avg_pool_3x3": [0, 0],
                                         "skip_connect": [0, 24], "sep_conv_3x3": [120, 120], "sep_conv_5x5": [248, 248],
                                         "dil_conv_3x3": [60, 60], "dil_conv_5x5": [124, 124]]
        for name in CellOperation.names {
            for (i, s) in [1, 2].enumerated() {
                let reg = ParameterRegistry()
                var rng = PhiloxRandom(seed: 3)
                _ = CellOperation(name: name, prefix: "p", channels: 4, stride: s, style: .evaluation, registry: reg, rng: &rng)
                #expect(reg.weights.reduce(0) { $0 + $1.value.count } == expected[name]![i], "\(name) stride \(s)")
            }
        }
    }

    @Test("output shapes, identity and zero", arguments: allOpCases)
    func outputShapes(_ c: OpCase) {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 3)
        let op = CellOperation(name: c.name, prefix: "p", channels: 2, stride: c.stride, style: c.style, registry: reg, rng: &rng)
        let x = spreadValues([2, 2, 6, 4], seed: 4)  // even: FactorizedReduce needs it, as in PyTorch
        let tape = Tape(recording: false)
        let v = tape.constant(x)
        let y = tape.value(op(v, tape, numericMode))
        #expect(y.shape == (c.stride == 1 ? [2, 2, 6, 4] : [2, 2, 3, 2]))
        #expect(op.isZero == (c.name == "none"))
        #expect(op.isIdentity == (c.name == "skip_connect" && c.stride == 1))
        if op.isZero { #expect(y.scalars.allSatisfy { $0 == 0 }) }
        if op.isIdentity { #expect(y == x) }
    }
}
