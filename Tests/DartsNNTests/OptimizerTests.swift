// SGD and Adam against sequences computed by hand (PyTorch semantics), and exact state restore.

import Testing
import DartsCore
@testable import DartsNN

private func param(_ name: String, _ w: [Float], grad g: [Float]) -> Parameter {
    let p = Parameter(name: name, value: Tensor(shape: [w.count], scalars: w))
    p.grad = Tensor(shape: [g.count], scalars: g)
    return p
}

private func close(_ a: Float, _ b: Double, _ tol: Double = 1e-6) -> Bool {
    abs(Double(a) - b) <= tol * max(1, abs(b))
}

@Test func sgdThreeStepsMatchHandComputation() {
    // lr 0.1, momentum 0.9, wd 0.01; gradient held at (0.5, 0) while w moves.
    // w0 = 1:  g = 0.51 → buf 0.51 → 0.949; g = 0.50949 → buf 0.96849 → 0.852151;
    //          g = 0.50852151 → buf 1.38016251 → 0.714134749
    // w1 = −2: g = −0.02 → −1.998; buf −0.03798 → −1.994202; buf −0.05412402 → −1.988789598
    let p = param("w", [1, -2], grad: [0.5, 0])
    let sgd = SGD(lr: 0.1, momentum: 0.9, weightDecay: 0.01)
    #expect(sgd.momentumBuffers["w"] == nil)
    let expected: [[Double]] = [[0.949, -1.998], [0.852151, -1.994202], [0.714134749, -1.988789598]]
    let buffers: [[Double]] = [[0.51, -0.02], [0.96849, -0.03798], [1.38016251, -0.05412402]]
    for s in 0..<3 {
        sgd.step([p])
        #expect(close(p.value[flat: 0], expected[s][0]) && close(p.value[flat: 1], expected[s][1]),
                "step \(s + 1): \(p.value.scalars)")
        let b = sgd.momentumBuffers["w"]?.scalars ?? []
        #expect(b.count == 2 && close(b[0], buffers[s][0]) && close(b[1], buffers[s][1]))
    }
    #expect(p.grad.scalars == [0.5, 0], "the gradient is not modified")
}

@Test func sgdWithoutMomentumKeepsNoState() {
    let p = param("w", [1], grad: [2])
    let sgd = SGD(lr: 0.5, momentum: 0, weightDecay: 0)
    sgd.step([p]); sgd.step([p])
    #expect(p.value.scalars == [-1])  // 1 − 0.5·2 − 0.5·2
    #expect(sgd.momentumBuffers.isEmpty)
}

@Test func adamThreeStepsMatchHandComputation() {
    // lr 0.1, betas (0.5, 0.999), eps 1e−8, wd 0.1 added to the gradient; gradient held.
    // Element 0: w 1, grad 0.5:  m 0.3, 0.445, 0.51251416; w 0.9, 0.80028322, 0.70101681.
    // Element 1: w −2, grad −0.25: m −0.225, −0.3325, −0.38126901; w −1.9, −1.80038026, −1.70136769.
    let p = param("a", [1, -2], grad: [0.5, -0.25])
    let adam = Adam(lr: 0.1, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 0.1)
    let w: [[Double]] = [[0.9000000016666666, -1.900000002222222],
                         [0.800283216970922, -1.8003802645121547],
                         [0.7010168137546696, -1.7013676896552588]]
    let m: [[Double]] = [[0.3, -0.225], [0.4450000000833333, -0.3325000001111111],
                         [0.5125141608902127, -0.38126901328116325]]
    let v: [[Double]] = [[0.00036, 0.0002025], [0.0007077400001966672, 0.0003958975001955559],
                         [0.0010434651141672162, 0.0005804343068894168]]
    for s in 0..<3 {
        adam.step([p])
        #expect(adam.stepCount == s + 1)
        #expect(close(p.value[flat: 0], w[s][0]) && close(p.value[flat: 1], w[s][1]),
                "step \(s + 1): \(p.value.scalars)")
        let ms = adam.firstMoments["a"]?.scalars ?? [], vs = adam.secondMoments["a"]?.scalars ?? []
        #expect(ms.count == 2 && close(ms[0], m[s][0]) && close(ms[1], m[s][1]))
        #expect(vs.count == 2 && close(vs[0], v[s][0], 1e-5) && close(vs[1], v[s][1], 1e-5))
    }
}

@Test func adamFrozenElementsStayPut() {
    let p = param("a", [0, 0.5], grad: [1, 1])
    let adam = Adam(lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0)
    adam.step([p], frozen: ["a": [true, false]])
    #expect(p.value[flat: 0] == 0)
    #expect(adam.firstMoments["a"]?[flat: 0] == 0 && adam.secondMoments["a"]?[flat: 0] == 0)
    #expect(close(p.value[flat: 1], 0.4, 1e-5))
    // Negative control: without the mask the same element moves.
    adam.step([p])
    #expect(p.value[flat: 0] != 0)
}

@Test func restoredOptimizerStateContinuesBitExactly() {
    let grads: [[Float]] = [[0.3, -1.2, 0.7], [0.1, 0.4, -0.9], [-0.5, 0.2, 0.05], [0.8, -0.3, 0.6]]
    func run(split: Int?) -> ([Float], [Float]) {
        var sgd = SGD(lr: 0.05, momentum: 0.9, weightDecay: 3e-4)
        var adam = Adam(lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3)
        let w = param("w", [0.1, 0.2, 0.3], grad: [0, 0, 0])
        let a = param("alphas_normal", [0.01, -0.02, 0.03], grad: [0, 0, 0])
        for (i, g) in grads.enumerated() {
            if i == split {  // checkpoint: copy all state into fresh optimizers
                let s2 = SGD(lr: sgd.lr, momentum: sgd.momentum, weightDecay: sgd.weightDecay)
                s2.momentumBuffers = sgd.momentumBuffers
                let a2 = Adam(lr: adam.lr, beta1: adam.beta1, beta2: adam.beta2, eps: adam.eps,
                              weightDecay: adam.weightDecay)
                a2.stepCount = adam.stepCount
                a2.firstMoments = adam.firstMoments
                a2.secondMoments = adam.secondMoments
                sgd = s2; adam = a2
            }
            w.grad = Tensor(shape: [3], scalars: g)
            a.grad = Tensor(shape: [3], scalars: g.reversed())
            sgd.step([w]); adam.step([a])
        }
        return (w.value.scalars, a.value.scalars)
    }
    let straight = run(split: nil)
    let resumed = run(split: 2)
    #expect(straight.0 == resumed.0 && straight.1 == resumed.1)
}
