// Finite-difference gradient checks of pooling, batch norm, dense layers and losses.
@testable import DartsCore
import Testing

@Test("max pool gradients (3x3, pad 1, stride 1 and 2, odd sizes)", arguments: [1, 2])
func maxPoolGradients(stride: Int) {
    let x = spreadValues([2, 2, 5, 7], seed: 3)
    expectGradients("maxPool s\(stride)", inputs: [x]) { t, v in
        t.maxPool2d(v[0], kernel: 3, stride: stride, padding: 1)
    }
}

@Test("avg pool gradients (3x3 pad 1 and 5x5 stride 3 pad 0)", arguments: [(3, 1, 1), (3, 2, 1), (5, 3, 0)])
func avgPoolGradients(kernel: Int, stride: Int, padding: Int) {
    let x = randomTensor([1, 2, 7, 6], seed: 4)
    expectGradients("avgPool k\(kernel) s\(stride)", inputs: [x]) { t, v in
        t.avgPool2d(v[0], kernel: kernel, stride: stride, padding: padding)
    }
}

@Test func globalAvgPoolGradients() {
    expectGradients("globalAvgPool", inputs: [randomTensor([2, 3, 3, 5], seed: 5)]) { t, v in
        t.globalAvgPool(v[0])
    }
}

@Test("batch norm gradients, training, affine and not, rank 4 and 2", arguments: [true, false])
func batchNormTrainingGradients(affine: Bool) {
    let x = randomTensor([3, 2, 3, 2], seed: 6)
    let x2 = randomTensor([5, 3], seed: 7)
    let gamma = randomTensor([2], seed: 8).map { $0 + 1.5 }, beta = randomTensor([2], seed: 9)
    let gamma3 = randomTensor([3], seed: 10).map { $0 + 1.5 }, beta3 = randomTensor([3], seed: 11)
    expectGradients("batchNorm rank4 affine=\(affine)", inputs: [x, gamma, beta]) { t, v in
        let rm = Parameter(name: "rm", value: Tensor(shape: [2])), rv = Parameter(name: "rv", value: Tensor(shape: [2], repeating: 1))
        return t.batchNorm(v[0], runningMean: rm, runningVar: rv, weight: affine ? v[1] : nil,
                           bias: affine ? v[2] : nil, training: true)
    }
    expectGradients("batchNorm rank2 affine=\(affine)", inputs: [x2, gamma3, beta3]) { t, v in
        let rm = Parameter(name: "rm", value: Tensor(shape: [3])), rv = Parameter(name: "rv", value: Tensor(shape: [3], repeating: 1))
        return t.batchNorm(v[0], runningMean: rm, runningVar: rv, weight: affine ? v[1] : nil,
                           bias: affine ? v[2] : nil, training: true)
    }
}

@Test func batchNormEvalGradients() {
    let rm = Parameter(name: "rm", value: Tensor(shape: [2], scalars: [0.3, -0.2]))
    let rv = Parameter(name: "rv", value: Tensor(shape: [2], scalars: [0.5, 2.0]))
    expectGradients("batchNorm eval", inputs: [randomTensor([2, 2, 2, 3], seed: 12), randomTensor([2], seed: 13),
                                               randomTensor([2], seed: 14)]) { t, v in
        t.batchNorm(v[0], runningMean: rm, runningVar: rv, weight: v[1], bias: v[2], training: false)
    }
}

@Test func linearAndMatmulGradients() {
    let x = randomTensor([3, 4], seed: 15), w = randomTensor([5, 4], seed: 16), b = randomTensor([5], seed: 17)
    expectGradients("linear+bias", inputs: [x, w, b]) { t, v in t.linear(v[0], weight: v[1], bias: v[2]) }
    expectGradients("linear", inputs: [x, w]) { t, v in t.linear(v[0], weight: v[1], bias: nil) }
    expectGradients("matmul", inputs: [x, randomTensor([4, 2], seed: 18)]) { t, v in t.matmul(v[0], v[1]) }
}

@Test func embeddingGradients() {
    expectGradients("embedding", inputs: [randomTensor([5, 3], seed: 19)]) { t, v in
        t.embedding(v[0], indices: [4, 0, 4, 2])
    }
}

@Test("embedding: one-row table, one token, rows never looked up get exactly zero")
func embeddingTinyShapes() {
    expectGradients("embedding 1×2, one token", inputs: [randomTensor([1, 2], seed: 22)]) { t, v in
        t.embedding(v[0], indices: [0])
    }
    expectGradients("embedding 3×1, token 1 thrice", inputs: [randomTensor([3, 1], seed: 23)]) { t, v in
        t.mul(t.embedding(v[0], indices: [1, 1, 1]), t.embedding(v[0], indices: [1, 1, 1]))
    }
    let table = Parameter(name: "table", value: randomTensor([4, 2], seed: 24))
    let tape = Tape()
    tape.backward(tape.sum(tape.embedding(tape.parameter(table), indices: [2, 0, 2])))
    #expect(table.grad.scalars == [1, 1, 0, 0, 2, 2, 0, 0])
}

@Test func lossGradients() {
    let logits = randomTensor([4, 5], seed: 20).map { $0 * 3 }
    expectGradients("crossEntropy", inputs: [logits]) { t, v in t.crossEntropy(v[0], labels: [0, 4, 2, 2]) }
    expectGradients("crossEntropy rank3", inputs: [randomTensor([2, 2, 3], seed: 21)]) { t, v in
        t.crossEntropy(v[0], labels: [0, 1, 2, 1])
    }
    expectGradients("nllLoss(logSoftmax)", inputs: [logits]) { t, v in
        t.nllLoss(t.logSoftmax(v[0]), targets: [1, 3, 0, 4])
    }
    expectGradients("nllLoss", inputs: [logits]) { t, v in t.nllLoss(v[0], targets: [1, 3, 0, 4]) }
    expectGradients("softmax", inputs: [logits]) { t, v in t.softmax(v[0]) }
    expectGradients("logSoftmax", inputs: [logits]) { t, v in t.logSoftmax(v[0]) }
}
