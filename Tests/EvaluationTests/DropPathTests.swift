// Drop path (SPEC §6): the fraction dropped, the survivors' exact scale, identities never
// dropped, nothing dropped at p = 0 or in evaluation mode, masks a function of the generator
// state, and the draw order DropPath.swift documents.

import Testing
import DartsCore
import DartsNN
import Architecture
@testable import Evaluation

/// A normal cell with one node, `ops` on inputs `inputs`, concat [2]: its output is that node.
func oneNodeCell(_ ops: [String], inputs: [Int], channels c: Int = 2, seed: UInt64 = 4) -> EvaluationCell {
    var rng = PhiloxRandom(seed: seed)
    let gene = GenotypeCell(type: "normal", edges: zip(ops, inputs).map { GenotypeEdge(op: $0, input: $1) }, concat: [2])
    return EvaluationCell(index: 0, gene: gene, cpp: c, cp: c, c: c, reduction: false, reductionPrevious: false,
                          registry: ParameterRegistry(), rng: &rng)
}

/// Output of `cell` on inputs built from `seed`, in `mode` with drop path `p` from `rng`.
func cellOutput(_ cell: EvaluationCell, samples n: Int, p: Double, mode: ForwardMode, rng: inout PhiloxRandom,
                seed: UInt64 = 8) -> (output: Tensor, s0: Tensor, s1: Tensor) {
    var data = PhiloxRandom(seed: seed)
    let shape = [n, 2, 4, 4]
    let a = Tensor(shape: shape, scalars: data.normal(count: shape.reduce(1, *)))
    let b = Tensor(shape: shape, scalars: data.normal(count: shape.reduce(1, *)))
    let tape = Tape(recording: false)
    let out = cell(tape.constant(a), tape.constant(b), dropPath: p, rng: &rng, tape, mode)
    // The preprocessed inputs, as the node sees them (training-mode BN is a function of the batch).
    let t = Tape(recording: false)
    let s0 = t.value(cell.preprocess0(t.constant(a), t, mode))
    let s1 = t.value(cell.preprocess1(t.constant(b), t, mode))
    return (tape.value(out), s0, s1)
}

/// max_pool_3x3 (stride 1) of a tensor, as the cell's op computes it.
func maxPooled(_ x: Tensor) -> Tensor {
    let t = Tape(recording: false)
    return t.value(t.maxPool2d(t.constant(x), kernel: 3, stride: 1, padding: 1))
}

let training = ForwardMode.weightStep

@Suite("Drop path")
struct DropPathTests {
    @Test("the fraction dropped is p, survivors get exactly 1/(1 − p)", arguments: [0.05, 0.2, 0.5])
    func factorStatistics(_ p: Double) {
        var rng = PhiloxRandom(seed: 11, stream: 2)
        let n = 100_000
        let f = DropPath.factors(samples: n, probability: p, rng: &rng)
        let scale = Float(1 / (1 - p))
        #expect(f.allSatisfy { $0 == 0 || $0 == scale })
        let dropped = Double(f.filter { $0 == 0 }.count) / Double(n)
        // Binomial: the standard deviation of the fraction is √(p(1 − p)/n) ≤ 0.0016; 0.008 is
        // five of them at p = 0.5.
        #expect(abs(dropped - p) < 0.008, "dropped \(dropped) at p = \(p)")
    }

    @Test("one uniform per sample, survivor when it is below 1 − p (PhiloxRandom.bernoulliMask)")
    func drawRule() {
        var a = PhiloxRandom(seed: 5), b = a
        let f = DropPath.factors(samples: 37, probability: 0.3, rng: &a)
        let mask = b.bernoulliMask(count: 37, keep: 0.7)
        #expect(f == mask.map { $0 * Float(1 / 0.7) })
        #expect(a == b)
    }

    @Test("in a cell: each op's samples are dropped or scaled exactly, masks drawn op by op in genotype order")
    func cellMasks() {
        // Node = max_pool(s0) + max_pool(s0): per sample 0, k·m or k·m + k·m (exact in Float).
        let cell = oneNodeCell(["max_pool_3x3", "max_pool_3x3"], inputs: [0, 0])
        let p = 0.25, n = 4000
        var rng = PhiloxRandom(seed: 21)
        var replay = rng
        let (out, s0, _) = cellOutput(cell, samples: n, p: p, mode: training, rng: &rng)
        let first = DropPath.factors(samples: n, probability: p, rng: &replay)
        let second = DropPath.factors(samples: n, probability: p, rng: &replay)
        #expect(rng == replay, "exactly two masks of n uniforms were drawn")
        let m = maxPooled(s0)
        let per = out.count / n
        var mismatches = 0, drops = 0
        for i in 0..<n {
            drops += (first[i] == 0 ? 1 : 0) + (second[i] == 0 ? 1 : 0)
            for j in 0..<per {
                let v = m[flat: i * per + j]
                let expected = first[i] * v + second[i] * v
                if out[flat: i * per + j] != expected { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
        // 2n = 8000 Bernoulli trials: standard deviation 0.0048 of the fraction; 0.025 is five.
        let fraction = Double(drops) / Double(2 * n)
        #expect(abs(fraction - p) < 0.025, "fraction dropped \(fraction)")
    }

    @Test("identities are never dropped and draw nothing")
    func identities() {
        let cell = oneNodeCell(["skip_connect", "skip_connect"], inputs: [0, 1])
        var rng = PhiloxRandom(seed: 3)
        let before = rng
        let (out, s0, s1) = cellOutput(cell, samples: 64, p: 0.9, mode: training, rng: &rng)
        #expect(rng == before)
        #expect(out.scalars == zip(s0.scalars, s1.scalars).map { $0 + $1 })
        // Mixed: only the non-identity op draws (one mask).
        let mixed = oneNodeCell(["skip_connect", "max_pool_3x3"], inputs: [0, 1])
        var r = PhiloxRandom(seed: 3), replay = r
        _ = cellOutput(mixed, samples: 64, p: 0.9, mode: training, rng: &r)
        _ = DropPath.factors(samples: 64, probability: 0.9, rng: &replay)
        #expect(r == replay)
    }

    @Test("p = 0 in training and any p in evaluation mode drop nothing and draw nothing")
    func nothingDropped() {
        let cell = oneNodeCell(["max_pool_3x3", "max_pool_3x3"], inputs: [0, 0])
        var rng = PhiloxRandom(seed: 9)
        let before = rng
        let (out, s0, _) = cellOutput(cell, samples: 50, p: 0, mode: training, rng: &rng)
        #expect(rng == before)
        let m = maxPooled(s0)
        #expect(out.scalars == m.scalars.map { $0 + $0 })
        let (evalOut, evalS0, _) = cellOutput(cell, samples: 50, p: 0.6, mode: .evaluation, rng: &rng)
        #expect(rng == before)
        let em = maxPooled(evalS0)
        #expect(evalOut.scalars == em.scalars.map { $0 + $0 })
    }

    @Test("the whole network: same generator state, same masks; another state, other masks; draw count")
    func networkMasks() {
        var build = PhiloxRandom(seed: 2)
        let config = EvaluationConfiguration(genotype: .dartsV2, channels: 2, layers: 3, classes: 4)
        let net = EvaluationNetwork(config, rng: &build)
        var data = PhiloxRandom(seed: 6)
        let n = 3
        let x = Tensor(shape: [n, 3, 32, 32], scalars: data.normal(count: n * 3 * 32 * 32))
        func run(_ rng: inout PhiloxRandom) -> [Float] {
            let tape = Tape(recording: false)
            let out = net.forward(tape, input: x, mode: training, dropPath: 0.4, rng: &rng)
            return tape.value(out.logits).scalars + tape.value(out.auxiliaryLogits!).scalars
        }
        var a = PhiloxRandom(seed: 77), b = a, c = PhiloxRandom(seed: 78)
        let start = a
        #expect(run(&a) == run(&b) && a == b)
        var again = PhiloxRandom(seed: 77)
        #expect(run(&c) != run(&again), "a different generator state gives other masks")
        // One mask of n uniforms per op that is not an identity, nothing else (not the head).
        let masked = net.cells.reduce(0) { $0 + $1.ops.filter { !$0.isIdentity }.count }
        #expect(masked == 6 + 5 + 5, "DARTS_V2: 6 non-identity ops in a normal cell, 5 in a reduction cell")
        var replay = start
        for _ in 0..<(masked * n) { _ = replay.nextUniformDouble() }
        #expect(a == replay)
    }
}
