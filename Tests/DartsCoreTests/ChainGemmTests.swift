// The chain GEMM's contract: every element of C is the FMA chain over k in order from 0, on every
// instruction set (so an AVX-512 machine reproduces an AVX2 machine's bits), and blockedGemm takes
// it for the large products.
@testable import DartsCore
import Testing

struct ChainGemmCase: CustomStringConvertible, Sendable {
    let m: Int, n: Int, k: Int, transA: Bool, transB: Bool
    var description: String { "\(m)x\(n)x\(k) tA\(transA) tB\(transB)" }
}

/// Edges of every tile (12 × 32 and 6 × 16), the row chunks of 12, K blocks (k > 384 splits, in
/// uneven parts), the transposed store (few rows, many columns), and the row split (m ≥ 192).
let chainGemmCases: [ChainGemmCase] = [(1, 1, 1), (5, 7, 3), (13, 33, 17), (37, 65, 300), (25, 200, 385),
                                       (200, 31, 769), (7, 300, 40), (193, 250, 64), (64, 17, 1001)].flatMap { s in
    [(false, false), (true, false), (false, true), (true, true)].map {
        ChainGemmCase(m: s.0, n: s.1, k: s.2, transA: $0.0, transB: $0.1)
    }
}

/// C[i][j] = fma chain over p of op(A)[i][p] · op(B)[p][j], in order, from 0.
func fmaChainProduct(_ c: ChainGemmCase, _ a: [Float], _ b: [Float]) -> [Float] {
    var out = [Float](repeating: 0, count: c.m * c.n)
    for i in 0..<c.m {
        for j in 0..<c.n {
            var acc: Float = 0
            for p in 0..<c.k {
                let av = c.transA ? a[p * c.m + i] : a[i * c.k + p]
                let bv = c.transB ? b[j * c.k + p] : b[p * c.n + j]
                acc.addProduct(av, bv)
            }
            out[i * c.n + j] = acc
        }
    }
    return out
}

/// Every edge tile height (1…12 rows after four whole tiles) against widths below, at and above
/// the 16 lanes of one AVX-512 half, after whole panels or alone; m ≥ n keeps the row split, whose
/// AVX-512 edges store straight into C through lane masks.
let chainGemmEdgeCases: [ChainGemmCase] = (1...12).flatMap { h in
    [1, 7, 15, 16, 17, 31, 48].map { ChainGemmCase(m: 48 + h, n: $0, k: 19, transA: h % 2 == 0, transB: $0 % 2 == 1) }
}

/// The instruction sets this CPU runs (the scalar one always).
var runnableVectorISAs: [VectorISA] { VectorISA.allCases.filter { $0.rank <= VectorISA.widest(on: .current).rank } }

@Test("chain GEMM: each element is the in-order FMA chain, bit for bit, on every instruction set",
      arguments: chainGemmCases + chainGemmEdgeCases)
func chainGemmIsTheInOrderFMAChain(_ c: ChainGemmCase) {
    let a = randomTensor([c.m * c.k], seed: UInt64(300 + c.m)).scalars
    let b = randomTensor([c.k * c.n], seed: UInt64(400 + c.n)).scalars
    let expected = fmaChainProduct(c, a, b)
    for isa in runnableVectorISAs {
        var out = [Float](repeating: .nan, count: c.m * c.n)
        chainGemm(transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, a: a, b: b, c: &out, isa: isa)
        let differing = zip(out, expected).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(isa): \(differing) of \(out.count) elements differ from the FMA chain")
    }
    // And the chain is the product: against the Double-accumulating oracle.
    var naive = [Float](repeating: 0, count: c.m * c.n)
    gemmNaive(transA: c.transA, transB: c.transB, m: c.m, n: c.n, k: c.k, a: a, b: b, c: &naive)
    #expect(scaledMaxDiff(expected, naive) < 1e-5)
}

@Test("the chain GEMM takes the widest instruction set the CPU has, or a narrower one when asked")
func chainGemmChoosesItsInstructionSet() {
    let skylake = CPUFeatures(model: "x", avx2: true, fma: true, avx512f: true)
    let haswell = CPUFeatures(model: "x", avx2: true, fma: true, avx512f: false)
    let old = CPUFeatures(model: "x", avx2: false, fma: false, avx512f: false)
    #expect(VectorISA.choose(cpu: skylake, asked: nil) == .avx512)
    #expect(VectorISA.choose(cpu: skylake, asked: "avx2") == .avx2)
    #expect(VectorISA.choose(cpu: skylake, asked: "scalar") == .scalar)
    #expect(VectorISA.choose(cpu: haswell, asked: nil) == .avx2)
    #expect(VectorISA.choose(cpu: haswell, asked: "avx512") == .avx2)
    #expect(VectorISA.choose(cpu: haswell, asked: "sse9") == .avx2)
    #expect(VectorISA.choose(cpu: old, asked: nil) == .scalar)
}

@Test("blockedGemm runs the chain GEMM above its threshold and OpenBLAS below it")
func blockedGemmChoosesByWork() {
    // 128 × 128 × 128 = 2^21 multiply-adds: the threshold itself, so the chain GEMM's bits.
    let big = ChainGemmCase(m: 128, n: 128, k: 128, transA: false, transB: true)
    let a = randomTensor([big.m * big.k], seed: 1).scalars, b = randomTensor([big.k * big.n], seed: 2).scalars
    var out = [Float](repeating: 0, count: big.m * big.n)
    blockedGemm(transB: true, m: big.m, n: big.n, k: big.k, a: a, b: b, c: &out)
    #expect(out.map(\.bitPattern) == fmaChainProduct(big, a, b).map(\.bitPattern))
    // Below it: exactly one OpenBLAS call's result.
    let small = ChainGemmCase(m: 64, n: 64, k: 64, transA: false, transB: false)
    var viaBlocked = [Float](repeating: 0, count: 64 * 64), viaBLAS = viaBlocked
    blockedGemm(m: 64, n: 64, k: 64, a: a, b: b, c: &viaBlocked)
    gemm(m: 64, n: 64, k: 64, a: a, b: b, c: &viaBLAS)
    #expect(viaBlocked.map(\.bitPattern) == viaBLAS.map(\.bitPattern))
    #expect(blockedGemmMinimumWork == 1 << 21 && small.m * small.n * small.k < blockedGemmMinimumWork)
}
