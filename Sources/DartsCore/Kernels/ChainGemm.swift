// The large products' GEMM: dartsprime's own kernel (Sources/CGemm), in which every element of C
// is one fused multiply-add chain over k = 0…K−1 from 0. Its bits therefore depend on the shape
// and the values alone, not on the instruction set, the tiles or the threads, so the AVX-512
// kernel can run wherever the CPU has it and still give the AVX2 machines' bits (OpenBLAS's own
// AVX-512 kernels sum in other orders than its pinned Haswell ones: BLAS/OpenBLAS.swift).
import CGemm

/// C (M×N, packed row-major) = op(A) · op(B) (packed storage), each element one FMA chain over k
/// in order, with C's rows split across the workers (its columns when there are too few rows to
/// share: the transposed store is slower). `isa` defaults to
/// `VectorISA.current`; every choice gives the same bits.
public func chainGemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                      a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                      isa: VectorISA = .current) {
    if m == 0 || n == 0 { return }
    if k == 0 { c.update(repeating: 0, count: m * n); return }
    let (lda, ldb) = (transA ? m : k, transB ? k : n)
    if m >= n || m >= chainGemmMinimumRowsToSplit {
        chainGemmRows(isa: isa, transA: transA, transB: transB, rows: m, columns: n, k: k,
                      a: a, lda: lda, b: b, ldb: ldb, c: c, rowStride: n, columnStride: 1)
    } else {
        // Cᵀ = op(B)ᵀ · op(A)ᵀ, stored transposed into C: the same products, split along N.
        chainGemmRows(isa: isa, transA: !transB, transB: !transA, rows: n, columns: m, k: k,
                      a: b, lda: ldb, b: a, ldb: lda, c: c, rowStride: 1, columnStride: n)
    }
}

/// Rows enough for every worker to get several tiles of 12.
let chainGemmMinimumRowsToSplit = 192

/// Packs op(B) once (its panels split across the workers), then computes C's rows in chunks of
/// whole register tiles, one chunk per worker.
private func chainGemmRows(isa: VectorISA, transA: Bool, transB: Bool, rows: Int, columns: Int, k: Int,
                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                           c: UnsafeMutablePointer<Float>, rowStride: Int, columnStride: Int) {
    DartsCore.configureThreads()
    let code = isa.code
    let (n32, k32) = (Int32(columns), Int32(k))
    let packed = packB(code, transB: transB, k: k32, n: n32, b: b, ldb: ldb)
    defer { packed.deallocate() }
    // Units of 12 rows: a whole number of tiles for every instruction set (12 and 6 rows).
    let unit = 12, units = (rows + unit - 1) / unit
    claimUnits(units) { range, workspace in
        dp_gemm_rows(code, transA ? 1 : 0, Int32(range.lowerBound * unit), Int32(min(rows, range.upperBound * unit)),
                     n32, k32, a, lda, nil, packed.assumingMemoryBound(to: Float.self), c, rowStride, columnStride, workspace)
    }
}

/// Row blocks A_j (rows_j × K, packed) times op(B) (K × N) into C_j (rows_j × N, packed): the rows
/// of one product whose A and C are stacked from separate tensors, with `chainGemm`'s bits for the
/// stacked product (each row of C depends on its row of A alone).
public func chainGemmRowBlocks(transB: Bool = false, blocks: [(a: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, rows: Int)],
                               n: Int, k: Int, b: UnsafePointer<Float>, isa: VectorISA = .current) {
    if n == 0 || blocks.isEmpty { return }
    if k == 0 { for blk in blocks { blk.c.update(repeating: 0, count: blk.rows * n) }; return }
    DartsCore.configureThreads()
    let code = isa.code
    let (n32, k32) = (Int32(n), Int32(k))
    let packed = packB(code, transB: transB, k: k32, n: n32, b: b, ldb: transB ? k : n)
    defer { packed.deallocate() }
    // Work units of 12 rows, numbered across the blocks in order.
    let unit = 12
    let firstUnit = blocks.reduce(into: [0]) { $0.append($0.last! + ($1.rows + unit - 1) / unit) }
    claimUnits(firstUnit.last!) { range, workspace in
        for (j, blk) in blocks.enumerated() {
            let lo = max(range.lowerBound, firstUnit[j]), hi = min(range.upperBound, firstUnit[j + 1])
            if lo >= hi { continue }
            dp_gemm_rows(code, 0, Int32((lo - firstUnit[j]) * unit), Int32(min(blk.rows, (hi - firstUnit[j]) * unit)), n32, k32,
                         blk.a, k, nil, packed.assumingMemoryBound(to: Float.self), blk.c, n, 1, workspace)
        }
    }
}

/// C (M × N, packed) = Aᵀ · B where A (K × M) is stacked by rows from the blocks `aBlocks`
/// (rows_j × M each, packed, Σ rows_j = K) and B (K × N) is packed: `chainGemm(transA: true)` of
/// the stacked A, bit for bit, without stacking it.
public func chainGemmStackedTransposed(aBlocks: [(a: UnsafePointer<Float>, rows: Int)], m: Int, n: Int,
                                       b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, isa: VectorISA = .current) {
    let k = aBlocks.reduce(0) { $0 + $1.rows }
    if m == 0 || n == 0 { return }
    if k == 0 { c.update(repeating: 0, count: m * n); return }
    DartsCore.configureThreads()
    let code = isa.code
    let (n32, k32) = (Int32(n), Int32(k))
    let packed = packB(code, transB: false, k: k32, n: n32, b: b, ldb: n)
    defer { packed.deallocate() }
    var rowPointers: [UnsafePointer<Float>?] = []
    rowPointers.reserveCapacity(k)
    for blk in aBlocks { for r in 0..<blk.rows { rowPointers.append(blk.a + r * m) } }
    let unit = 12, units = (m + unit - 1) / unit
    rowPointers.withUnsafeBufferPointer { rows in
        claimUnits(units) { range, workspace in
            dp_gemm_rows(code, 1, Int32(range.lowerBound * unit), Int32(min(m, range.upperBound * unit)), n32, k32,
                         nil, 0, rows.baseAddress, packed.assumingMemoryBound(to: Float.self), c, n, 1, workspace)
        }
    }
}

/// Runs `body` over 0..<units in grains the workers claim as they finish (a fixed split left one
/// core waiting for the other whenever the host slowed it), each worker with its own workspace.
/// Every element of C is computed whole by one call, so the split never changes a bit.
private func claimUnits(_ units: Int, _ body: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
    DartsCore.parallelClaim(units, grain: min(8, units / (4 * DartsCore.threadCount))) { claim in
        let workspace = alignedFloats(dp_gemm_workspace_count(Int32(DP_GEMM_AVX512)))
        defer { workspace.deallocate() }
        while let range = claim() { body(range, workspace.assumingMemoryBound(to: Float.self)) }
    }
}

/// op(B) packed for `code`, its panels split across the workers; the caller deallocates it.
private func packB(_ code: Int32, transB: Bool, k: Int32, n: Int32, b: UnsafePointer<Float>, ldb: Int) -> UnsafeMutableRawPointer {
    let packed = alignedFloats(dp_gemm_packed_b_count(code, k, n))
    DartsCore.parallelFor(Int(dp_gemm_panels(code, n))) { range in
        dp_gemm_pack_b(code, transB ? 1 : 0, k, n, b, ldb, Int32(range.lowerBound), Int32(range.upperBound),
                       packed.assumingMemoryBound(to: Float.self))
    }
    return packed
}

private func alignedFloats(_ count: Int) -> UnsafeMutableRawPointer {
    UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: 64)
}
