// The plain 1×1 conv's kernels (CGemm/pointwise.c, pointwise_weight_gradient.c): the
// per-image product on every instruction set this CPU runs gives `chainGemm`'s bits, for row
// counts around both tiles (8 and 6 rows), pixel counts around both lane widths and blocks, both
// ways of reading A (the forward's W and the input gradient's Wᵀ), and inputs holding ±0, NaN and
// products past Float's range (NaNs compare as NaN: which payload survives depends on operand
// order); the batch weight gradient gives, on every instruction set and for any split of C across
// workers, the 16 lane chains over (image, pixel) and the fixed tree its contract names (CGemm.h). Their closeness to exact sums is the conv tests' business (ConvTests).
@testable import DartsCore
import CGemm
import Testing

private func bits(_ v: Float) -> UInt32 { v.isNaN ? Float.nan.bitPattern : v.bitPattern }

private func values(_ n: Int, _ rng: inout PhiloxRandom, specials: Bool = true) -> [Float] {
    var v = (0..<n).map { _ in rng.nextUniformFloat() * 2 - 1 }
    if specials && n > 4 { v[0] = 0; v[1] = -0.0; v[2] = 3e38; v[3] = -3e38 }
    return v
}

private let isas = VectorISA.allCases.filter { $0.rank <= VectorISA.widest(on: .current).rank }

@Test("1×1 products give the chain GEMM's bits on every instruction set",
      arguments: [1, 4, 15, 16, 17, 31, 32, 33, 48, 64, 100])
func pointwiseProductMatchesTheChainGemm(_ hw: Int) {
    var rng = PhiloxRandom(seed: UInt64(hw))
    for m in [1, 2, 3, 5, 6, 7, 8, 9, 12, 16, 17, 36] {
        for k in [1, 2, 7, 36] {
            let a = values(m * k, &rng)
            var x = values(k * hw, &rng)
            if k * hw > 6 { x[5] = .nan }
            for transposed in [false, true] {
                // Transposed: a holds Aᵀ (k × m), read through strides.
                let (rowStride, colStride) = transposed ? (1, m) : (k, 1)
                var expected = [Float](repeating: 7, count: m * hw)
                chainGemm(transA: transposed, m: m, n: hw, k: k, a: a, b: x, c: &expected, isa: .scalar)
                for isa in isas {
                    var y = [Float](repeating: 7, count: m * hw)
                    var pack = [Float](repeating: 0, count: pointwiseScratchCount(k: k))
                    pointwiseProduct(m: m, k: k, hw: hw, a: a, rowStride: rowStride, colStride: colStride,
                                     x: x, y: &y, pack: &pack, isa: isa)
                    #expect(y.map(bits) == expected.map(bits), "\(isa) m \(m), k \(k), hw \(hw), transposed \(transposed)")
                }
            }
        }
    }
}

/// The weight gradient's contract, element by element: chain l over the pixels p ≡ l (mod 16) of
/// every term in order, then lanes summed at distance 8, 4, 2, 1.
private func laneChainReference(m: Int, n: Int, k: Int, terms: Int, a: [Float], aStride: Int,
                                b: [Float], bStride: Int) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var lanes = [Float](repeating: 0, count: 16)
            for t in 0..<terms {
                for p in 0..<k { lanes[p % 16].addProduct(a[t * aStride + i * k + p], b[t * bStride + j * k + p]) }
            }
            var width = 8
            while width > 0 {
                for l in 0..<width { lanes[l] = lanes[l] + lanes[l + width] }
                width /= 2
            }
            c[i * n + j] = lanes[0]
        }
    }
    return c
}

@Test("the batch 1×1 weight gradient is 16 lane chains over the images and pixels and a fixed tree",
      arguments: [(1, 1, 1, 1), (5, 7, 3, 2), (16, 16, 64, 4), (36, 36, 17, 3), (18, 40, 100, 2), (13, 33, 400, 3),
                  (70, 130, 20, 30), (9, 14, 1040, 2), (6, 5, 1100, 2)])
func pointwiseWeightGradientChainsOverTheBatch(_ shape: (Int, Int, Int, Int)) {
    let (m, n, k, terms) = shape
    var rng = PhiloxRandom(seed: UInt64(m * 1000 + n * 10 + k))
    // Terms laid out as the conv's batch is: term t of A at t·aStride, with gaps between terms.
    let aStride = m * k + 3, bStride = n * k + 5
    var a = values(aStride * terms, &rng), b = values(bStride * terms, &rng)
    if a.count > 9 { a[8] = .nan }
    let expected = laneChainReference(m: m, n: n, k: k, terms: terms, a: a, aStride: aStride, b: b, bStride: bStride)
    for isa in isas {
        var c = [Float](repeating: 7, count: m * n)
        chainSumOfProducts(m: m, n: n, k: k, terms: terms, a: a, aTermStride: aStride, b: b, bTermStride: bStride,
                           c: &c, isa: isa)
        #expect(c.map(bits) == expected.map(bits), "\(isa), m \(m) n \(n) k \(k) terms \(terms)")
        // The workers' blocks never change a bit: any split into row or column blocks gives the same C.
        for (rowsPerBlock, columnsPerBlock) in [(1, n), (5, n), (6, n), (m, 1), (m, 16), (m, 17), (4, 16)] {
            var parts = [Float](repeating: 7, count: m * n)
            var pack = [Float](repeating: 0, count: Int(dp_pointwise_weight_gradient_scratch_count()))
            for r0 in stride(from: 0, to: m, by: rowsPerBlock) {
                for c0 in stride(from: 0, to: n, by: columnsPerBlock) {
                    dp_pointwise_weight_gradient(isa.code, Int32(r0), Int32(min(m, r0 + rowsPerBlock)), Int32(c0),
                                                 Int32(min(n, c0 + columnsPerBlock)), Int32(n), Int32(k), Int32(terms),
                                                 a, aStride, b, bStride, &parts, &pack)
                }
            }
            #expect(parts.map(bits) == expected.map(bits), "\(isa), blocks of \(rowsPerBlock) × \(columnsPerBlock)")
        }
        // Continued by the caller (the separable conv's backward sweep): B's column ranges, each
        // with its own chains, fed a group of images at a time, give the same C.
        for (columnsPerRange, group) in [(n, 1), (max(1, n / 3), 2), (7, terms)] {
            var parts = [Float](repeating: 7, count: m * n)
            for c0 in stride(from: 0, to: n, by: columnsPerRange) {
                let width = min(columnsPerRange, n - c0)
                var chains = [Float](repeating: .nan, count: m * width * 16)
                for t0 in stride(from: 0, to: terms, by: group) {
                    let images = min(group, terms - t0)
                    // B's rows of this range, as the sweep's per-worker buffer holds them.
                    var rangeB = [Float](repeating: 0, count: images * width * k)
                    for t in 0..<images { for j in 0..<width { for p in 0..<k {
                        rangeB[(t * width + j) * k + p] = b[(t0 + t) * bStride + (c0 + j) * k + p]
                    } } }
                    a.withUnsafeBufferPointer { pa in
                        dp_pointwise_weight_gradient_continue(isa.code, Int32(m), Int32(width), Int32(k), Int32(images),
                                                              pa.baseAddress! + t0 * aStride, aStride, rangeB, width * k,
                                                              &chains, t0 == 0 ? 1 : 0, t0 + images < terms ? 1 : 0)
                    }
                }
                parts.withUnsafeMutableBufferPointer { pc in
                    dp_pointwise_weight_gradient_finish(Int32(m), Int32(width), chains, pc.baseAddress! + c0, n)
                }
            }
            #expect(parts.map(bits) == expected.map(bits), "\(isa), continued: columns \(columnsPerRange), groups of \(group)")
        }
    }
}

@Test("the weight gradient's split: whole tiles by columns or rows, the smaller largest worker; every element once")
func pointwiseWeightGradientSplitCoversC() {
    #expect(pointwiseWeightGradientSplit(m: 36, n: 144, workers: 2).byColumns)  // 36 × 72 each
    #expect(pointwiseWeightGradientSplit(m: 36, n: 36, workers: 2).byColumns)  // 36 × 18, not 20 × 36
    #expect(!pointwiseWeightGradientSplit(m: 36, n: 64, workers: 2).byColumns)  // 20 × 64, not 36 × 36
    #expect(!pointwiseWeightGradientSplit(m: 16, n: 16, workers: 2).byColumns)  // 8 × 16, not 16 × 12
    #expect(pointwiseWeightGradientSplit(m: 16, n: 16, workers: 1).byColumns)
    for (m, n, workers) in [(36, 144, 2), (16, 16, 2), (17, 40, 3), (5, 200, 4)] {
        let split = pointwiseWeightGradientSplit(m: m, n: n, workers: workers)
        var covered = [Int](repeating: 0, count: m * n)
        for u in 0..<split.units {
            let (rows, columns) = split.block(u..<u + 1)
            for r in rows { for c in columns { covered[r * n + c] += 1 } }
        }
        #expect(covered.allSatisfy { $0 == 1 }, "m \(m) n \(n) workers \(workers)")
    }
}

@Test("the chain GEMM's transposed packing of B gives the element-by-element packing's layout")
func transposedPackingMatchesItsDefinition() {
    var rng = PhiloxRandom(seed: 3)
    for isa in isas {
        for (k, n) in [(1, 1), (3, 5), (4, 4), (7, 33), (385, 19), (800, 70)] {
            let b = values(n * k + 2, &rng, specials: false)  // B stored n × k (ldb = k + 2 below, a gap per row)
            let ldb = k
            let count = Int(dp_gemm_packed_b_count(isa.code, Int32(k), Int32(n)))
            var packed = [Float](repeating: 7, count: count)
            dp_gemm_pack_b(isa.code, 1, Int32(k), Int32(n), b, ldb, 0, dp_gemm_panels(isa.code, Int32(n)), &packed)
            // Expected: per K block, per panel, kcb × nr row-major with zeros past n.
            let nr = isa == .avx512 ? 32 : 16, panels = (n + nr - 1) / nr
            let blocks = (k + 383) / 384, kc = (k + blocks - 1) / blocks
            var expected = [Float](repeating: 0, count: count)
            var p0 = 0
            while p0 < k {
                let kcb = min(kc, k - p0)
                for jp in 0..<panels {
                    for p in 0..<kcb {
                        for j in 0..<nr where jp * nr + j < n {
                            expected[p0 * panels * nr + jp * kcb * nr + p * nr + j] = b[(jp * nr + j) * ldb + p0 + p]
                        }
                    }
                }
                p0 += kcb
            }
            #expect(packed == expected, "\(isa) k \(k) n \(n)")
        }
    }
}
