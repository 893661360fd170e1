// Tape semantics: gradient subsets (α-only / weights-only steps), accumulation over backward
// passes, an empty tape afterwards, forward-only mode, and bit-identical repeats.
@testable import DartsCore
import Testing

/// A tiny mixed edge: conv → BN → weighted sum with α, then a classifier and cross-entropy.
func tinyNet(_ t: Tape, x: Tensor, w: Parameter, dw: Parameter, alpha: Parameter, cls: Parameter,
             rm: Parameter, rv: Parameter, wGrad: Bool, aGrad: Bool) -> Var {
    let xv = t.constant(x)
    let wv = t.parameter(w, requiresGrad: wGrad), dwv = t.parameter(dw, requiresGrad: wGrad)
    let av = t.parameter(alpha, requiresGrad: aGrad)
    let c1 = t.batchNorm(t.conv2d(t.relu(xv), weight: wv, padding: 1), runningMean: rm, runningVar: rv,
                         weight: nil, bias: nil, training: true)
    let c2 = t.conv2d(xv, weight: dwv, stride: 1, padding: 2, dilation: 2, groups: 4)
    let p = t.maxPool2d(xv, kernel: 3, stride: 1, padding: 1)
    let mixed = t.weightedSum([c1, c2, p], weights: t.softmax(av), indices: [0, 1, 2])
    let logits = t.linear(t.globalAvgPool(mixed), weight: t.parameter(cls, requiresGrad: wGrad), bias: nil)
    return t.crossEntropy(logits, labels: [1, 0, 2])
}

struct TinyNetParams {
    let w = Parameter(name: "w", value: randomTensor([4, 4, 3, 3], seed: 80))
    let dw = Parameter(name: "dw", value: randomTensor([4, 1, 3, 3], seed: 81))
    let alpha = Parameter(name: "alpha", value: randomTensor([3], seed: 82))
    let cls = Parameter(name: "cls", value: randomTensor([3, 4], seed: 83))
    let rm = Parameter(name: "rm", value: Tensor(shape: [4]))
    let rv = Parameter(name: "rv", value: Tensor(shape: [4], repeating: 1))
    let x = randomTensor([3, 4, 6, 6], seed: 84)

    func run(wGrad: Bool, aGrad: Bool) -> Tape {
        let t = Tape()
        let loss = tinyNet(t, x: x, w: w, dw: dw, alpha: alpha, cls: cls, rm: rm, rv: rv, wGrad: wGrad, aGrad: aGrad)
        t.backward(loss)
        return t
    }
    var weights: [Parameter] { [w, dw, cls] }
}

func isZero(_ t: Tensor) -> Bool { t.scalars.allSatisfy { $0 == 0 } }

@Test func alphaOnlyStepLeavesWeightGradientsZero() {
    let p = TinyNetParams()
    let t = p.run(wGrad: false, aGrad: true)
    #expect(p.weights.allSatisfy { isZero($0.grad) })
    #expect(!isZero(p.alpha.grad))
    #expect(t.count == 0)  // the tape is empty afterwards
    #expect(p.rm.value.scalars.contains { $0 != 0 })  // running stats updated even so
}

@Test func weightsOnlyStepLeavesAlphaGradientZero() {
    let p = TinyNetParams()
    _ = p.run(wGrad: true, aGrad: false)
    #expect(isZero(p.alpha.grad))
    #expect(p.weights.allSatisfy { !isZero($0.grad) })
}

@Test func nodesThatCannotReachAGradLeafRecordNoClosure() {
    let p = TinyNetParams()
    let t = Tape()
    let x = t.constant(p.x)
    let w = t.parameter(p.w, requiresGrad: false)
    let y = t.conv2d(x, weight: w, padding: 1)
    #expect(!t.requiresGrad(y))
    #expect(t.backwards[y.id] == nil)
    let a = t.parameter(p.alpha)
    let z = t.mulScalar(y, scalars: a, at: 0)
    #expect(t.requiresGrad(z) && t.backwards[z.id] != nil)
    // Forward-only tapes keep no closures at all.
    let f = Tape(recording: false)
    let fz = f.mulScalar(f.constant(p.x), scalars: f.parameter(p.alpha), at: 1)
    #expect(f.backwards.allSatisfy { $0 == nil } && !f.requiresGrad(fz))
}

@Test func twoBackwardPassesAccumulate() {
    let p = TinyNetParams()
    let rm0 = p.rm.value, rv0 = p.rv.value
    _ = p.run(wGrad: true, aGrad: true)
    let once = p.weights.map { $0.grad } + [p.alpha.grad]
    p.rm.value = rm0; p.rv.value = rv0
    _ = p.run(wGrad: true, aGrad: true)
    let twice = p.weights.map { $0.grad } + [p.alpha.grad]
    for (a, b) in zip(once, twice) {
        for i in 0..<a.count { #expect(abs(b[flat: i] - 2 * a[flat: i]) <= 1e-6 * (1 + abs(a[flat: i]))) }
    }
    for q in p.weights + [p.alpha] { q.zeroGrad() }
    #expect(isZero(p.w.grad))
}

@Test func forwardAndBackwardAreBitIdenticalOnRepeat() {
    func once() -> [Tensor] {
        let p = TinyNetParams()
        let t = Tape()
        let loss = tinyNet(t, x: p.x, w: p.w, dw: p.dw, alpha: p.alpha, cls: p.cls, rm: p.rm, rv: p.rv,
                           wGrad: true, aGrad: true)
        let l = t.value(loss)
        t.backward(loss)
        return [l, p.rm.value, p.rv.value] + p.weights.map { $0.grad } + [p.alpha.grad]
    }
    let a = once(), b = once()
    #expect(a == b)  // Tensor == compares bit patterns
    // Negative control: the comparison does see a one-ulp change.
    var c = b
    c[3][flat: 0] = c[3][flat: 0].nextUp
    #expect(a != c)
}

@Test func largerConvBackwardIsBitIdenticalAcrossRuns() {
    // Big enough that every kernel really splits work over threads.
    let x = randomTensor([8, 16, 16, 16], seed: 90)
    let w1 = Parameter(name: "pw", value: randomTensor([16, 16, 1, 1], seed: 91))
    let w2 = Parameter(name: "dw", value: randomTensor([16, 1, 5, 5], seed: 92))
    let w3 = Parameter(name: "k3", value: randomTensor([16, 16, 3, 3], seed: 93))
    func once() -> [Tensor] {
        for p in [w1, w2, w3] { p.zeroGrad() }
        let t = Tape()
        let xv = t.parameter(Parameter(name: "x", value: x))
        var h = t.conv2d(t.relu(xv), weight: t.parameter(w2), stride: 2, padding: 4, dilation: 2, groups: 16)
        h = t.conv2d(h, weight: t.parameter(w1))
        h = t.conv2d(h, weight: t.parameter(w3), padding: 1)
        let loss = t.sumOfSquares(h)
        t.backward(loss)
        return [w1.grad, w2.grad, w3.grad]
    }
    #expect(once() == once())
}
