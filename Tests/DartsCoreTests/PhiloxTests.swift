// PhiloxRandom: restorable state, permutations, rough distribution moments.
import DartsCore
import Testing

@Test func philoxStateRestoreReproducesStream() {
    var a = PhiloxRandom(seed: 101, stream: 3)
    _ = a.uniform(count: 7, low: 0, high: 1)   // leave it mid-block
    let saved = a.stateWords
    let expected = (0..<20).map { _ in a.nextUInt32() }
    var b = PhiloxRandom(stateWords: saved)
    #expect((0..<20).map { _ in b.nextUInt32() } == expected)
    var c = PhiloxRandom(seed: 101, stream: 4)
    #expect((0..<20).map { _ in c.nextUInt32() } != expected)
}

@Test func philoxPermutationIsAPermutation() {
    var r = PhiloxRandom(seed: 5)
    for n in [0, 1, 2, 3, 10, 257] {
        let p = r.permutation(n)
        #expect(p.sorted() == Array(0..<n))
    }
    #expect(r.permutation(50) != Array(0..<50))
}

@Test func philoxMomentsRoughlyRight() {
    var r = PhiloxRandom(seed: 6)
    let n = 20000
    let u = r.uniform(count: n, low: 0, high: 1).map(Double.init)
    let mu = u.reduce(0, +) / Double(n)
    let vu = u.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(n)
    #expect(abs(mu - 0.5) < 0.01 && abs(vu - 1.0 / 12) < 0.005)  // ≈ 5 standard errors
    let z = r.normal(count: n).map(Double.init)
    let mz = z.reduce(0, +) / Double(n)
    let vz = z.map { ($0 - mz) * ($0 - mz) }.reduce(0, +) / Double(n)
    #expect(abs(mz) < 0.04 && abs(vz - 1) < 0.05)
    let m = r.bernoulliMask(count: n, keep: 0.25)
    #expect(abs(Double(m.reduce(0, +)) / Double(n) - 0.25) < 0.02)
    #expect((0..<1000).allSatisfy { _ in (0..<7).contains(r.nextInt(below: 7)) })
}
