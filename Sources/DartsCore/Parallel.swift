// The one owner of threads in dartsprime: a fixed-partition parallel-for over persistent workers.
//
// Threading and determinism policy (SPEC, issue 2):
// - OpenBLAS runs single-threaded (`openblas_set_num_threads(1)`, set once by
//   `DartsCore.configureThreads()`, which every kernel entry point calls lazily). All
//   parallelism is ours: `DartsCore.parallelFor` splits a range of work items (images,
//   channels, planes) into chunks run by persistent workers (WorkerPool.swift).
// - Chunk boundaries depend only on the item count and on `DartsCore.threadCount`, which is
//   read once per process from the environment variable DARTSPRIME_THREADS (default: the
//   CPUs the process may run on, its affinity mask). They never depend on timing.
// - Every chunk writes a disjoint part of the output. Reductions across work items (weight
//   gradients summed over a batch) go into one buffer PER ITEM (per image), which are then
//   summed in item order by one thread. So results are bit-identical run to run, and in fact
//   independent of the thread count as well.
#if canImport(Glibc)
import Glibc
#endif
import CGemm

/// Namespace for process-wide kernel settings.
public enum DartsCore {
    /// Worker count for `parallelFor`: DARTSPRIME_THREADS if set to a positive integer, else
    /// Slurm's SLURM_CPUS_PER_TASK (at most the CPUs this process may run on), else the number
    /// of CPUs this process may run on. Fixed for the life of the process.
    ///
    /// Not the online count: under `taskset`, a cpuset cgroup or a batch scheduler's binding the
    /// process may use fewer CPUs than the machine has, and spinning workers beyond those would
    /// only take turns on the same cores.
    public static let threadCount: Int = defaultThreadCount(environment: ProcessInfoLite.environment,
                                                            allowedCPUs: ProcessInfoLite.allowedProcessorCount)

    /// The worker count `threadCount` takes, from the environment and the CPUs the affinity
    /// mask allows. A Slurm task is given `--cpus-per-task` CPUs, but where the cluster does not
    /// bind tasks to them (TaskPlugin=task/none) its mask is the whole node: SLURM_CPUS_PER_TASK
    /// then keeps the task to its share. The mask still caps it, as it caps everything else.
    static func defaultThreadCount(environment: (String) -> String?, allowedCPUs: () -> Int) -> Int {
        if let s = environment("DARTSPRIME_THREADS"), let n = parseThreadCount(s) {
            return n
        }
        let allowed = max(1, allowedCPUs())
        if let s = environment(slurmCPUsVariable), let n = parseThreadCount(s) {
            return min(n, allowed)
        }
        return allowed
    }

    /// The variable Slurm sets in a task to its `--cpus-per-task`.
    public static let slurmCPUsVariable = "SLURM_CPUS_PER_TASK"

    /// The most workers DARTSPRIME_THREADS may ask for.
    public static let maximumThreadCount = 1024

    /// A DARTSPRIME_THREADS value as a worker count: a whole number in 1...maximumThreadCount,
    /// else nil (the command line refuses it before any work starts).
    public static func parseThreadCount(_ text: String) -> Int? {
        guard let n = Int(text), n >= 1, n <= maximumThreadCount else { return nil }
        return n
    }

    /// A DARTSPRIME_SPIN_US value: whole microseconds up to one second, else nil.
    public static func parseSpinMicroseconds(_ text: String) -> UInt64? {
        guard let n = UInt64(text), n <= 1_000_000 else { return nil }
        return n
    }

    private static let blasConfigured: Bool = {
        OpenBLAS.setThreads(1)
        configureAllocator()
        return true
    }()

    /// Keeps freed tensor memory in the process for the next step instead of handing it back:
    /// every forward pass allocates its activations afresh, and with glibc's defaults (blocks
    /// over 128 KB mmapped, heap tops trimmed) each step paid a page fault and a page clear per
    /// 4 KB touched, 30 % of a paper-size step. Blocks of any size now come from the main
    /// heap (mmap off; threads' own arenas still map what they cannot hold, glibc falls back
    /// to it), and the heap is never trimmed, so RSS stays at the first step's peak. The
    /// recurrent model's decoder logits (T·B × vocabulary, 358 MB at the paper's size) are
    /// above glibc's 32 MB threshold cap, so only switching mmap off keeps them.
    private static func configureAllocator() {
        #if os(Linux)
        _ = glibcMallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD (malloc.h)
        _ = glibcMallopt(-4, 0)  // M_MMAP_MAX: no mmapped blocks from the main arena
        _ = glibcMallopt(-1, -1)  // M_TRIM_THRESHOLD: -1 disables trimming (a 2 GB threshold did not)
        #endif
    }

    /// Makes OpenBLAS single-threaded and the allocator keep freed memory (once); kernels call
    /// this before their first GEMM.
    @inline(__always)
    public static func configureThreads() {
        _ = blasConfigured
    }

    /// Runs `body(range)` over a fixed partition of `0..<count` into at most `threadCount`
    /// contiguous chunks (chunk `i` is `i*count/k ..< (i+1)*count/k`), concurrently.
    /// `body` must write only outputs owned by its range.
    public static func parallelFor(_ count: Int, minChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        configureThreads()
        let k = min(threadCount, max(1, count / max(1, minChunk)))
        if k <= 1 { body(0..<count); return }
        guard let pool = workerPool, pool.tryAcquire() else { body(0..<count); return }
        // The closure outlives nothing: `run` returns only after every worker finished with it.
        withoutActuallyEscaping(body) { escapable in pool.run(count: count, chunks: k, escapable) }
    }

    /// Runs `body` on every worker with a `claim` that hands out the next `grain` items of
    /// `0..<count` (nil when none are left), so a worker the host slowed takes fewer of them than
    /// a fixed partition would give it. Only for work whose result does not depend on which
    /// worker computes an item: each item's output written whole by one claim.
    public static func parallelClaim(_ count: Int, grain: Int, _ body: (_ claim: () -> Range<Int>?) -> Void) {
        if count <= 0 { return }
        let grain = max(1, grain)
        let next = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        next.initialize(to: 0)
        defer { next.deallocate() }
        parallelFor(min(threadCount, (count + grain - 1) / grain)) { _ in
            body {
                let start = dp_claim(next, grain)
                return start < count ? start..<min(count, start + grain) : nil
            }
        }
    }

    /// The persistent workers (nil with one thread). DARTSPRIME_SPIN_US: how long idle workers
    /// poll for the next call before sleeping (default 500 µs; 0 sleeps at once).
    static let workerPool: WorkerPool? = {
        guard threadCount > 1 else { return nil }
        let spinMicroseconds = ProcessInfoLite.environment("DARTSPRIME_SPIN_US").flatMap(parseSpinMicroseconds) ?? 500
        return WorkerPool(workerCount: threadCount - 1, spinNanoseconds: spinMicroseconds * 1000)
    }()
}

#if os(Linux)
/// glibc's `int mallopt(int param, int value)` (malloc.h is not part of the Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif

/// Environment and CPU count without Foundation.
enum ProcessInfoLite {
    static func environment(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        return String(cString: p)
    }

    /// CPUs the calling thread may run on: the population count of its affinity mask
    /// (`sched_getaffinity`, glibc's CPU_COUNT), which a new process inherits from `taskset` or
    /// its cpuset. Falls back to the online processor count where there is no such call.
    static func allowedProcessorCount() -> Int {
        #if os(Linux)
        // glibc's cpu_set_t holds 1024 CPUs; the kernel answers EINVAL when its mask is wider,
        // so the buffer doubles until it fits.
        var words = 1024 / UInt.bitWidth
        while words <= 1 << 16 {
            var mask = [UInt](repeating: 0, count: words)
            let rc = mask.withUnsafeMutableBytes { linuxSchedGetaffinity(0, $0.count, $0.baseAddress!) }
            if rc == 0 {
                let n = mask.reduce(0) { $0 + $1.nonzeroBitCount }
                if n > 0 { return n }
                break
            }
            guard errno == EINVAL else { break }
            words *= 2
        }
        #endif
        return onlineProcessorCount()
    }

    /// Processors the machine has online.
    static func onlineProcessorCount() -> Int {
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}

#if os(Linux)
/// glibc's `int sched_getaffinity(pid_t, size_t, cpu_set_t *)`; Swift's Glibc module does not
/// export the GNU-only scheduling calls.
@_silgen_name("sched_getaffinity")
private func linuxSchedGetaffinity(_ pid: Int32, _ size: Int, _ mask: UnsafeMutableRawPointer) -> Int32
#endif
