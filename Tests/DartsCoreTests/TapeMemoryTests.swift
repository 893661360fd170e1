// Memory-saving tape mechanics leave gradients bit-identical: relu recorded once per input,
// a 1×1 conv recomputing its depthwise input in the reverse pass, forward-only values released.
@testable import DartsCore
import Testing

/// Two sep-conv-like branches on one input: relu → depthwise 3×3 → 1×1 → BN, summed; the
/// loss is a weighted sum so every value matters. `opaque` hides the depthwise outputs from
/// the recompute path (scale by 1 is exact) and uses distinct relus; `release` frees
/// forward-only values midway.
func sepBranches(_ t: Tape, x: Tensor, dws: [Parameter], pws: [Parameter], rm: Parameter, rv: Parameter,
                 opaque: Bool, release: Bool) -> Var {
    let xv = t.constant(x)
    var outs: [Var] = []
    for (dw, pw) in zip(dws, pws) {
        var r = t.relu(xv)
        if opaque { r = t.scale(r, by: 1) }
        var h = t.conv2d(r, weight: t.parameter(dw), padding: 1, groups: 4)
        if opaque { h = t.scale(h, by: 1) }
        let y = t.batchNorm(t.conv2d(h, weight: t.parameter(pw)), runningMean: rm, runningVar: rv,
                            weight: nil, bias: nil, training: true)
        outs.append(y)
        if release { t.releaseForwardOnlyValues(keeping: [xv] + outs) }
    }
    let s = t.addN(outs)
    return t.sum(t.mul(s, t.constant(randomTensor(t.shape(s), seed: 99))))
}

@Test("relu dedup, depthwise recompute and value release leave every gradient bit-identical")
func memorySavingsKeepGradients() {
    func run(opaque: Bool, release: Bool) -> [Tensor] {
        let dws = (0..<2).map { Parameter(name: "dw\($0)", value: randomTensor([4, 1, 3, 3], seed: 100 + UInt64($0))) }
        let pws = (0..<2).map { Parameter(name: "pw\($0)", value: randomTensor([4, 4, 1, 1], seed: 110 + UInt64($0))) }
        let rm = Parameter(name: "rm", value: Tensor(shape: [4])), rv = Parameter(name: "rv", value: Tensor(shape: [4], repeating: 1))
        let t = Tape()
        let loss = sepBranches(t, x: randomTensor([2, 4, 9, 9], seed: 120), dws: dws, pws: pws, rm: rm, rv: rv,
                               opaque: opaque, release: release)
        t.backward(loss)
        return (dws + pws).map(\.grad)
    }
    let plain = run(opaque: true, release: false)
    #expect(plain.allSatisfy { !isZero($0) })
    #expect(run(opaque: false, release: false) == plain)
    #expect(run(opaque: false, release: true) == plain)
}

@Test("released values keep their shape, kept and closure-held values stay readable")
func releaseKeepsWhatIsNeeded() {
    let t = Tape()
    let p = Parameter(name: "w", value: randomTensor([3, 2, 1, 1], seed: 130))
    let x = t.constant(randomTensor([1, 2, 4, 4], seed: 131))
    let a = t.scale(x, by: 2)              // forward-only: nothing captures it
    let c = t.conv2d(a, weight: t.parameter(p))  // keeps a for the weight gradient
    let b = t.relu(c)
    let d = t.scale(b, by: 3)              // forward-only, but kept below
    let u = t.scale(d, by: 1)              // forward-only, released
    t.releaseForwardOnlyValues(keeping: [d])
    #expect(t.shape(u) == [1, 3, 4, 4])
    #expect(t.value(a).shape == [1, 2, 4, 4])  // captured by the conv closure
    #expect(t.value(d).shape == [1, 3, 4, 4])
    #expect(t.relu(c) == b)                 // the cached relu is still live
    t.backward(t.sum(d))
    #expect(!isZero(p.grad))
}
