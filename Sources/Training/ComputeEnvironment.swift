// The numeric facts of this process that decide its bits (issue 12): which OpenBLAS kernels
// run, with how many threads, on which instruction set; recorded in run.json and in every
// checkpoint beside RunEnvironment's machine and build facts.
import DartsCore
import RunStore

public enum ComputeEnvironment {
    /// Everything recorded as a run's or a checkpoint's environment.
    public static func current() -> [String: String] {
        RunEnvironment.current(extra: facts().merging(["dartsprime_version": DartsPrimeVersion.string]) { $1 })
    }

    /// OpenBLAS configuration, core name and threads; worker threads; the ISA features that matter.
    public static func facts() -> [String: String] {
        let blas = OpenBLAS.facts
        let cpu = CPUFeatures.current
        var f: [String: String] = [
            "openblas_config": blas.config,
            "openblas_core": blas.coreName,
            "openblas_core_requested": blas.requestedCoreType ?? "default",
            "openblas_threads": String(blas.threads),
            "worker_threads": String(DartsCore.threadCount),
            "cpu_avx2": String(cpu.avx2),
            "cpu_fma": String(cpu.fma),
            "cpu_avx512f": String(cpu.avx512f),
            // The large products' kernel: recorded for the reader, not bit-relevant (each gives
            // the same bits: DartsCore/Kernels/ChainGemm.swift).
            "vector_isa": VectorISA.current.rawValue,
            "bit_exact_across_machines": String(blas.pinned),
        ]
        if let caveat = blas.caveat { f["bit_exact_caveat"] = caveat }
        return f
    }

    /// Keys whose difference can change a run's bits, most likely first; the others (CPU model,
    /// worker threads, OS, paths) are recorded for the reader but do not affect results.
    public static let bitRelevantKeys = [
        "openblas_core", "openblas_core_requested", "bit_exact_across_machines", "executable_sha256",
        "dartsprime_version", "git_commit", "swift_version", "openblas_config", "cpu_avx2", "cpu_fma",
    ]
}
