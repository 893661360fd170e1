// The 8-lane exp, tanh and logistic of VectorMath.swift against Double references: a few ulp
// over the range the models use, the clamps at the ends, NaN passed through.
@testable import DartsCore
import Foundation
import Testing

/// Inputs from −100 to 100 in steps of 1/64, plus values near 0 and near the tanh switch.
private let inputs: [Float] = (-6400...6400).map { Float($0) / 64 }
    + [1e-30, -1e-30, 1e-8, -1e-8, 1e-4, 0.624_999, 0.625, 0.625_001, -0.625, 0]

private func apply(_ f: (SIMD8<Float>) -> SIMD8<Float>, _ xs: [Float]) -> [Float] {
    var out: [Float] = []
    var i = 0
    while i < xs.count {
        var v = SIMD8<Float>(repeating: 0)
        let n = min(8, xs.count - i)
        for l in 0..<n { v[l] = xs[i + l] }
        let y = f(v)
        for l in 0..<n { out.append(y[l]) }
        i += 8
    }
    return out
}

/// |got − want| in units of Float's spacing at `want` (at least the smallest normal's).
private func ulps(_ got: Float, _ want: Double) -> Double {
    let spacing = Double(Float(want).ulp.isNormal ? Float(want).ulp : Float.leastNormalMagnitude.ulp)
    return abs(Double(got) - want) / max(spacing, Double(Float.leastNormalMagnitude))
}

@Test func vectorExpIsWithinTwoUlpsAndClampsAtTheEnds() {
    let xs = inputs.filter { $0 >= -87 && $0 <= 88 }
    let ys = apply(vectorExp, xs)
    let worst = zip(xs, ys).map { ulps($1, Foundation.exp(Double($0))) }.max()!
    #expect(worst <= 2, "worst \(worst) ulp")
    // Outside [−87, 88] the clamp holds the result finite and positive.
    let ends = apply(vectorExp, [200, 88.5, -87.5, -200, .infinity, -.infinity])
    #expect(ends[0] == ends[1] && ends[0].isFinite && ends[0] > 1e38)
    #expect(ends[2] == ends[3] && ends[2] > 0 && ends[2] < 2e-38 && ends[5] == ends[3])
    #expect(ends[4] == ends[0])
    #expect(apply(vectorExp, [.nan])[0].isNaN)
}

@Test func vectorTanhIsWithinFourUlpsOddAndSaturates() {
    let ys = apply(vectorTanh, inputs)
    let worst = zip(inputs, ys).map { ulps($1, Foundation.tanh(Double($0))) }.max()!
    #expect(worst <= 4, "worst \(worst) ulp")
    #expect(zip(inputs, ys).allSatisfy { x, y in apply(vectorTanh, [-x])[0] == -y })
    #expect(apply(vectorTanh, [.infinity, -.infinity, 30]) == [1, -1, 1])
    #expect(apply(vectorTanh, [.nan])[0].isNaN)
}

@Test func vectorLogisticIsWithinFourUlps() {
    let xs = inputs.filter { $0 >= -80 }  // below, 1/(1+e^−x) leaves the normal range
    let ys = apply(vectorLogistic, xs)
    let worst = zip(xs, ys).map { ulps($1, 1 / (1 + Foundation.exp(-Double($0)))) }.max()!
    #expect(worst <= 4, "worst \(worst) ulp")
    #expect(apply(vectorLogistic, [100, -100, 0]) == [1, apply(vectorLogistic, [-100])[0], 0.5])
    #expect(apply(vectorLogistic, [-100])[0] < 1e-37)
    #expect(apply(vectorLogistic, [.nan])[0].isNaN)
}
