// `dartsprime bench kernels`: GFLOP/s of the hot kernels at DARTS supernet shapes (release).
import ArgumentParser
import Training
import DartsCore
import Search
#if canImport(Glibc)
import Glibc
#endif

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Micro-benchmarks (build with -c release).",
        subcommands: [BenchKernels.self, BenchStep.self, BenchEval.self, BenchRNN.self, BenchStore.self, BenchData.self])
}

struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels", abstract: "Median GFLOP/s of GEMM, conv and batch-norm kernels.")

    @Option(parsing: .unconditional, help: "Repetitions per kernel (the median is reported).")
    var reps: Int = 7

    @OptionGroup(title: "Batches") var batchOptions: BatchOptions

    /// Batch size of the supernet shapes: the paper's 64 unless --batch-size says otherwise.
    var batch: Int { SearchConfiguration.preset(.paper).overridden(by: [batchOptions]).batchSize }

    func validate() throws {
        try SearchConfiguration.preset(.paper).overridden(by: [batchOptions]).validateAsFlags(includingData: false)
        guard reps >= 1 else { throw ValidationError("bench kernels: --reps must be at least 1, got \(reps)") }
    }

    func run() throws {
        StandardStreams.writeLine("threads: \(DartsCore.threadCount) (DARTSPRIME_THREADS), OpenBLAS single-threaded, reps: \(reps)")
        StandardStreams.writeLine(pad("kernel", 44) + pad("ms", 10) + "GFLOP/s")
        let n = 1024
        let a = buffer(n * n), b = buffer(n * n), c = buffer(n * n)
        report("sgemm 1024^3", flops: 2 * Double(n * n * n)) {
            gemm(m: n, n: n, k: n, a: a, b: b, c: c)
        }
        // dartsprime's own GEMM at the recurrent cell's shape (node 8: 9·256 rows, K 300, N 600),
        // across the workers, at each vector instruction set this CPU runs (the same bits on all).
        let (cm, ck, cn) = (9 * 256, 300, 600)
        let ca = buffer(cm * ck), cb = buffer(ck * cn), cc = buffer(cm * cn)
        for isa in VectorISA.allCases where isa.rank <= VectorISA.widest(on: .current).rank && isa != .scalar {
            report("chain gemm \(cm)x\(cn)x\(ck) \(isa.rawValue) (all)", flops: 2 * Double(cm * cn * ck)) {
                chainGemm(m: cm, n: cn, k: ck, a: ca, b: cb, c: cc, isa: isa)
            }
        }
        // Memory bandwidth: read + write of a 256 MB buffer (copy), bytes moved per second.
        let big = 64 << 20
        let src = buffer(big), dst = buffer(big)
        report("copy 256 MB (GB/s moved, in the GFLOP/s column)", flops: 2 * 4 * Double(big)) {
            dst.update(from: src, count: big)
        }
        for hw in [32, 16] {
            let ch = 16
            let cases: [(String, ConvGeometry)] = [
                ("conv1x1 C16", ConvGeometry(n: batch, cin: ch, h: hw, w: hw, cout: ch, kh: 1, kw: 1)),
                ("depthwise 3x3 C16", ConvGeometry(n: batch, cin: ch, h: hw, w: hw, cout: ch, kh: 3, kw: 3,
                                                    padding: 1, groups: ch)),
                ("depthwise 5x5 C16", ConvGeometry(n: batch, cin: ch, h: hw, w: hw, cout: ch, kh: 5, kw: 5,
                                                    padding: 2, groups: ch)),
                ("dil depthwise 5x5 d2 C16", ConvGeometry(n: batch, cin: ch, h: hw, w: hw, cout: ch, kh: 5, kw: 5,
                                                           padding: 4, dilation: 2, groups: ch)),
            ]
            for (name, g) in cases {
                let x = buffer(g.inputCount), w = buffer(g.weightCount), y = buffer(g.outputCount)
                let dx = buffer(g.inputCount), dw = buffer(g.weightCount)
                let f = 2 * Double(g.macs)
                let tag = " N\(batch) \(hw)x\(hw)"
                report(name + tag + " fwd", flops: f) { conv2dForward(g, x: x, weight: w, out: y) }
                report(name + tag + " bwd", flops: 2 * f) {
                    conv2dBackward(g, x: x, weight: w, dy: y, dx: dx, dw: dw)
                }
            }
            let bg = BatchNormGeometry(n: batch, c: ch, s: hw * hw)
            let x = buffer(bg.n * bg.c * bg.s), y = buffer(bg.n * bg.c * bg.s), dx = buffer(bg.n * bg.c * bg.s)
            let st = buffer(ch), inv = buffer(ch), uv = buffer(ch)
            let count = Double(bg.n * bg.c * bg.s)
            report("batchnorm C16 N\(batch) \(hw)x\(hw) fwd", flops: 5 * count) {
                batchNormForwardTraining(bg, x: x, gamma: nil, beta: nil, eps: 1e-5, y: y,
                                         mean: st, invStd: inv, unbiasedVar: uv)
            }
            report("batchnorm C16 N\(batch) \(hw)x\(hw) bwd", flops: 8 * count) {
                batchNormBackward(bg, training: true, x: x, dy: y, gamma: nil, mean: st, invStd: inv,
                                  dx: dx, dGamma: nil, dBeta: nil)
            }
        }
    }

    /// Runs `body` once to warm up, then `reps` times, and prints the median.
    func report(_ name: String, flops: Double, _ body: () -> Void) {
        body()
        var times = [Double]()
        for _ in 0..<reps {
            let t0 = now()
            body()
            times.append(now() - t0)
        }
        times.sort()
        let med = times[times.count / 2]
        StandardStreams.writeLine(pad(name, 44) + pad(String(format3(med * 1e3)), 10) + format3(flops / med / 1e9))
    }

    func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
        var r = PhiloxRandom(seed: 1)
        for i in 0..<n { p[i] = r.nextUniformFloat() - 0.5 }
        return p
    }
}

private func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

private func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }

private func format3(_ v: Double) -> String {
    let r = (v * 1000).rounded() / 1000
    return String(r)
}
