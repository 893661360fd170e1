// The per-sample scaling op behind drop path (Tape+SampleScale.swift): exact forward values,
// zeros for dropped samples, and its gradient by finite differences (GradCheck.swift).
@testable import DartsCore
import Testing

@Suite("Per-sample scaling")
struct SampleScaleTests {
    @Test("sample n is multiplied by factor n exactly; a zero factor gives zeros", arguments: [[3, 2, 3, 2], [4, 5], [1, 7]])
    func forward(_ shape: [Int]) {
        let x = randomTensor(shape, seed: 90)
        let n = shape[0], per = x.count / n
        let factors: [Float] = (0..<n).map { $0 % 2 == 1 ? 0 : 1 / (1 - 0.3) }
        let t = Tape(recording: false)
        let y = t.value(t.scaleSamples(t.constant(x), by: factors))
        #expect(y.shape == shape)
        for i in 0..<x.count { #expect(y[flat: i] == x[flat: i] * factors[i / per]) }
        #expect((per..<(2 * per)).allSatisfy { n < 2 || y[flat: $0] == 0 })
    }

    @Test("large inputs (parallel chunks) equal the element-wise product")
    func forwardLarge() {
        let x = randomTensor([6, 4, 64, 64], seed: 91)
        let factors: [Float] = [1.25, 0, 1.25, 1.25, 0, 0.5]
        let t = Tape(recording: false)
        let y = t.value(t.scaleSamples(t.constant(x), by: factors))
        let per = x.count / 6
        #expect(y.scalars == x.scalars.enumerated().map { $0.element * factors[$0.offset / per] })
    }

    @Test("gradient by finite differences, with dropped samples and on inputs used twice")
    func gradient() {
        let x = randomTensor([4, 3, 2, 2], seed: 92)
        expectGradients("scaleSamples", inputs: [x]) { t, v in t.scaleSamples(v[0], by: [1.25, 0, 0.5, 1.25]) }
        // Accumulating into a gradient that already exists (x feeds two ops).
        expectGradients("scaleSamples twice", inputs: [x]) { t, v in
            t.add(t.scaleSamples(v[0], by: [2, 0, 1, 1]), t.scaleSamples(v[0], by: [0, 3, 1, 0.5]))
        }
        let big = randomTensor([3, 2, 160, 160], seed: 93)  // above the parallel chunk size
        let tape = Tape()
        let p = Parameter(name: "x", value: big)
        let factors: [Float] = [0.5, 0, 2]
        let y = tape.scaleSamples(tape.parameter(p), by: factors)
        tape.backward(tape.sum(tape.scaleSamples(y, by: [1, 1, 1])))
        let per = big.count / 3
        #expect(p.grad.scalars == (0..<big.count).map { factors[$0 / per] })
    }

    /// ta + tb built both ways from parameters a, b (b also feeding a second op, so its gradient
    /// accumulates): the fused node's output and gradients, and those of scaleSamples then add.
    private func node(_ a: Tensor, _ fa: [Float]?, _ b: Tensor, _ fb: [Float]?, fused: Bool) -> [Tensor] {
        let tape = Tape()
        let (pa, pb) = (Parameter(name: "a", value: a), Parameter(name: "b", value: b))
        let (va, vb) = (tape.parameter(pa), tape.parameter(pb))
        let y: Var
        if fused {
            y = tape.addScaledSamples(va, by: fa, vb, by: fb)
        } else {
            let ta = fa.map { tape.scaleSamples(va, by: $0) } ?? va
            let tb = fb.map { tape.scaleSamples(vb, by: $0) } ?? vb
            y = tape.add(ta, tb)
        }
        let out = tape.value(y)
        let weights = tape.constant(randomTensor(a.shape, seed: 95))
        tape.backward(tape.add(tape.sum(tape.mul(y, weights)), tape.sum(tape.mul(vb, vb))))
        return [out, pa.grad, pb.grad]
    }

    @Test("addScaledSamples gives the bits of scaleSamples then add: values and both gradients",
          arguments: [[5, 3, 4, 4], [4, 2, 96, 96]])
    func fusedNodeSum(_ shape: [Int]) {
        var a = randomTensor(shape, seed: 96)
        let b = randomTensor(shape, seed: 97)
        // Non-finite and negative-zero elements in a dropped sample and a kept one.
        let per = a.count / shape[0]
        a[flat: per + 1] = .infinity; a[flat: per + 2] = .nan; a[flat: 3] = -0.0
        let f: [Float] = (0..<shape[0]).map { $0 % 2 == 1 ? 0 : 1 / (1 - 0.2) }
        let g: [Float] = (0..<shape[0]).map { $0 % 3 == 0 ? 0 : 1.25 }
        for (fa, fb) in [(f, nil), (nil, g), (f, g), (nil, nil)] as [([Float]?, [Float]?)] {
            let fused = node(a, fa, b, fb, fused: true), reference = node(a, fa, b, fb, fused: false)
            for (x, y) in zip(fused, reference) {
                #expect(x.shape == y.shape)
                #expect(x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern),
                        "factors a \(fa != nil), b \(fb != nil)")
            }
        }
    }

    @Test("addScaledSamples' gradient by finite differences")
    func fusedNodeSumGradient() {
        let a = randomTensor([4, 3, 2, 2], seed: 98), b = randomTensor([4, 3, 2, 2], seed: 99)
        expectGradients("addScaledSamples", inputs: [a, b]) { t, v in
            t.addScaledSamples(v[0], by: [1.25, 0, 0.5, 1.25], v[1], by: nil)
        }
        expectGradients("addScaledSamples of one input twice", inputs: [a]) { t, v in
            t.addScaledSamples(v[0], by: [2, 0, 1, 1], v[0], by: [0, 3, 1, 0.5])
        }
    }
}
