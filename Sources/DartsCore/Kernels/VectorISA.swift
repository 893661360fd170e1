// Which vector width dartsprime's own kernels (Sources/CGemm) run at: chosen once per process from
// the CPU, recorded in run.json as `vector_isa`, never part of a result's bits.
import CGemm

/// The instruction set of dartsprime's own C kernels: the chain GEMM and the recurrent cell's gated
/// mixture. Each gives the same bits; only the speed differs.
public enum VectorISA: String, Sendable, CaseIterable {
    case avx512, avx2, scalar

    var code: Int32 {
        switch self {
        case .avx512: return Int32(DP_GEMM_AVX512)
        case .avx2: return Int32(DP_GEMM_AVX2)
        case .scalar: return Int32(DP_GEMM_SCALAR)
        }
    }

    /// The widest this CPU runs; DARTSPRIME_VECTOR_ISA (avx512, avx2 or scalar) asks for a narrower
    /// one, to compare them.
    public static let current = choose(cpu: .current, asked: ProcessInfoLite.environment("DARTSPRIME_VECTOR_ISA"))

    /// The widest set `cpu` runs: AVX-512 (with FMA), else AVX2 with FMA, else scalar.
    public static func widest(on cpu: CPUFeatures) -> VectorISA {
        cpu.avx512f && cpu.fma ? .avx512 : cpu.avx2 && cpu.fma ? .avx2 : .scalar
    }

    /// `asked` when it names a set `cpu` runs, else the widest (an unknown name or one the CPU
    /// lacks changes nothing: every set gives the same bits).
    static func choose(cpu: CPUFeatures, asked: String?) -> VectorISA {
        let widest = widest(on: cpu)
        guard let asked = asked.flatMap(VectorISA.init(rawValue:)), asked.rank <= widest.rank else { return widest }
        return asked
    }

    /// Order by width (scalar 0, AVX2 1, AVX-512 2).
    public var rank: Int { self == .avx512 ? 2 : self == .avx2 ? 1 : 0 }
}
