// OpenBLAS, loaded at first use after its kernel family is pinned (issue 12).
//
// OpenBLAS built with DYNAMIC_ARCH (Debian's is) chooses its GEMM kernels once, in the
// library's constructor, from OPENBLAS_CORETYPE or else from the CPU; the kernels for
// Haswell, SkylakeX and Cooperlake round differently, so the same search gives different bits
// on two x86-64 machines. A library linked at build time runs that constructor before `main`,
// too early for the process to choose, so DartsCore links no BLAS and dlopen()s it here, after
// setting OPENBLAS_CORETYPE=Haswell (the widest family every AVX2+FMA CPU runs). This holds for
// every process that uses DartsCore — the CLI and the test runners alike — whatever the caller's
// environment says, without a re-exec.
//
// DARTSPRIME_OPENBLAS_CORETYPE=<name> forces another family (to study kernel effects, and as the
// audit's negative control); the environment then says bit-exactness is not promised.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum OpenBLAS {
    /// The kernel family every run on an AVX2+FMA CPU uses.
    public static let pinnedCoreType = "Haswell"

    /// What was asked of OpenBLAS and what it reports, for run.json and every checkpoint.
    public struct Facts: Sendable, Equatable {
        /// OPENBLAS_CORETYPE given to the library (nil: its own choice).
        public var requestedCoreType: String?
        /// `openblas_get_corename()`, e.g. "Haswell".
        public var coreName: String
        /// `openblas_get_config()`, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
        public var config: String
        /// OpenBLAS's own thread count (1: all parallelism is DartsCore's).
        public var threads: Int
        /// True when the pinned family runs, so digests match any other AVX2+FMA machine.
        public var pinned: Bool
        /// Why bit-exactness against other machines is not promised (nil when pinned).
        public var caveat: String?
    }

    /// Loads the library once and returns its facts.
    public static var facts: Facts { library.facts }

    // MARK: - Entry points used by the kernels

    /// cblas_sgemm, row-major; `transA`/`transB` as CBLAS's Trans/NoTrans.
    @inline(__always)
    static func sgemm(transA: Bool, transB: Bool, m: Int32, n: Int32, k: Int32, alpha: Float,
                      a: UnsafePointer<Float>, lda: Int32, b: UnsafePointer<Float>, ldb: Int32,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int32) {
        library.sgemm(rowMajor, transA ? trans : noTrans, transB ? trans : noTrans,
                      m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    static func setThreads(_ n: Int) { library.setThreads(Int32(n)) }

    // CBLAS enum values (cblas.h): CblasRowMajor, CblasNoTrans, CblasTrans.
    private static let rowMajor: Int32 = 101
    private static let noTrans: Int32 = 111
    private static let trans: Int32 = 112

    // MARK: - Loading

    typealias SgemmFunction = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float,
                                              UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
                                              Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias SetThreadsFunction = @convention(c) (Int32) -> Void
    typealias GetIntFunction = @convention(c) () -> Int32
    typealias GetStringFunction = @convention(c) () -> UnsafePointer<CChar>?

    struct Library: @unchecked Sendable {
        let sgemm: SgemmFunction
        let setThreads: SetThreadsFunction
        let facts: Facts
    }

    private static let library: Library = load()

    /// The shared-object names tried in order (Debian's runtime package provides the first).
    static let libraryNames = ["libopenblas.so.0", "libopenblas.so"]

    private static func load() -> Library {
        let cpu = CPUFeatures.current
        let forced = ProcessInfo.processInfo.environment["DARTSPRIME_OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
        let requested: String?
        if let forced {
            requested = forced
        } else if cpu.runsPinnedKernels {
            requested = pinnedCoreType
        } else {
            requested = nil
        }
        // Read by the library's constructor during dlopen; one BLAS thread (DartsCore parallelises).
        if let requested { setenv("OPENBLAS_CORETYPE", requested, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        setenv("OPENBLAS_NUM_THREADS", "1", 1)

        var handle: UnsafeMutableRawPointer?
        var errors: [String] = []
        for name in libraryNames {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { break }
            errors.append(dlerror().map { String(cString: $0) } ?? name)
        }
        guard let handle else { fail("cannot load OpenBLAS (\(errors.joined(separator: "; "))); install libopenblas0") }
        func symbol<T>(_ name: String, as type: T.Type) -> T {
            guard let p = dlsym(handle, name) else { fail("OpenBLAS library has no symbol \(name)") }
            return unsafeBitCast(p, to: type)
        }
        let sgemm = symbol("cblas_sgemm", as: SgemmFunction.self)
        let setThreads = symbol("openblas_set_num_threads", as: SetThreadsFunction.self)
        let getThreads = symbol("openblas_get_num_threads", as: GetIntFunction.self)
        let coreName = symbol("openblas_get_corename", as: GetStringFunction.self)().map { String(cString: $0) } ?? "unknown"
        let config = symbol("openblas_get_config", as: GetStringFunction.self)().map { String(cString: $0) } ?? "unknown"
        setThreads(1)

        let runsPinned = coreName.lowercased() == pinnedCoreType.lowercased()
        let caveat: String?
        if let forced {
            caveat = "OpenBLAS kernels forced to \(forced) by DARTSPRIME_OPENBLAS_CORETYPE (running \(coreName)): bits match only runs with the same kernels"
        } else if !cpu.runsPinnedKernels {
            caveat = "CPU lacks AVX2/FMA: OpenBLAS runs its default \(coreName) kernels, bits are not promised to match other machines"
        } else if !runsPinned {
            caveat = "OpenBLAS runs \(coreName) although \(pinnedCoreType) was requested (a build without DYNAMIC_ARCH?): bits are not promised to match other machines"
        } else {
            caveat = nil
        }
        let facts = Facts(requestedCoreType: requested, coreName: coreName, config: config,
                          threads: Int(getThreads()), pinned: forced == nil && runsPinned, caveat: caveat)
        return Library(sgemm: sgemm, setThreads: setThreads, facts: facts)
    }

    /// Kernels cannot throw: a missing BLAS ends the process with the tool's one-line error.
    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        exit(1)
    }
}
