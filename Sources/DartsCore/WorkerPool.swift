// The persistent workers behind `DartsCore.parallelFor`.
//
// Why not `DispatchQueue.concurrentPerform`: a search step makes ~10⁴ parallel calls of
// 20–500 µs each, and Dispatch parks its workers on a futex after every call, so each call
// paid a wake-up (a context switch, tens of µs on these VMs) before the second core started:
// with 2 threads a C=8 L=5 step ran only 8 % faster than with 1. These workers instead spin on
// a generation counter for a short while after each call (`spinNanoseconds`) and only then
// sleep on a condition variable, so back-to-back calls start on every core at once.
//
// Determinism is unchanged: worker `i` always runs chunk `i` of the same fixed partition, and
// a call that finds the pool busy (a nested call, or a second thread such as a concurrent
// test) runs its whole range inline, which gives the same bits because every kernel's result
// is independent of the partition (see Parallel.swift).
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

final class WorkerPool: @unchecked Sendable {
    /// Worker threads besides the caller (threadCount − 1).
    let workerCount: Int
    /// How long a worker polls for the next call before sleeping.
    let spinNanoseconds: UInt64

    /// Bumped once per call; workers run when it changes.
    private let generation = Atomic<Int>(0)
    /// Workers done with the current call.
    private let finished = Atomic<Int>(0)
    /// Held by the thread that owns the current call.
    private let busy = Atomic<Bool>(false)

    // The current call. Written by the owner before `generation` is bumped (release) and read
    // by workers after they see the bump (acquire); cleared only after all workers finished.
    private var body: ((Range<Int>) -> Void)?
    private var count = 0
    private var chunks = 0

    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var sleepers = 0  // guarded by `mutex`

    init(workerCount: Int, spinNanoseconds: UInt64) {
        self.workerCount = workerCount
        self.spinNanoseconds = spinNanoseconds
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wake, nil)
        for index in 1...max(1, workerCount) where workerCount > 0 {
            let context = Unmanaged.passRetained(WorkerContext(pool: self, index: index)).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.pool.workerLoop(index: context.index)
                return nil
            }, context)
            if rc != 0 {
                // One line and a status, as every failure of the tool (not a crash dump).
                let line = Array("error: cannot start worker thread \(index) (pthread_create: \(String(cString: strerror(rc)))); set DARTSPRIME_THREADS lower\n".utf8)
                _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
                exit(1)
            }
            pthread_detach(thread)
        }
    }

    /// Claims the pool for one call; false if another call holds it (the caller then runs inline).
    func tryAcquire() -> Bool {
        busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    /// Runs chunk 0 on the caller and chunks 1..<chunks on workers 1..<chunks; returns when all
    /// are done. The caller must hold the pool (`tryAcquire`); it is released on return.
    func run(count: Int, chunks: Int, _ body: @escaping (Range<Int>) -> Void) {
        precondition(chunks >= 2 && chunks <= workerCount + 1)
        self.body = body
        self.count = count
        self.chunks = chunks
        finished.store(0, ordering: .relaxed)
        pthread_mutex_lock(&mutex)
        generation.add(1, ordering: .releasing)
        if sleepers > 0 { pthread_cond_broadcast(&wake) }
        pthread_mutex_unlock(&mutex)

        body(0..<(count / chunks))

        var polls = 0
        while finished.load(ordering: .acquiring) < workerCount {
            polls += 1
            if polls > 64 { sched_yield() }  // a worker may be waiting for this core: let it run
        }
        self.body = nil
        busy.store(false, ordering: .releasing)
    }

    private func workerLoop(index: Int) {
        var seen = 0
        while true {
            seen = waitForCall(after: seen)
            let chunks = self.chunks
            if index < chunks, let body {
                body((index * count / chunks)..<((index + 1) * count / chunks))
            }
            finished.add(1, ordering: .releasing)
        }
    }

    /// Returns the next generation after `seen`: polls for `spinNanoseconds`, then sleeps.
    private func waitForCall(after seen: Int) -> Int {
        let start = monotonicNanoseconds()
        var polls = 0
        while true {
            let g = generation.load(ordering: .acquiring)
            if g != seen { return g }
            // Poll politely: sched_yield returns at once on an idle core, and hands the core to
            // any runnable thread otherwise (another search, a test process), which a tight
            // spin would starve (two concurrent C=8 steps: 5.4 s each instead of 1.6 s).
            sched_yield()
            polls += 1
            if polls & 15 == 0 && monotonicNanoseconds() - start > spinNanoseconds { break }
        }
        pthread_mutex_lock(&mutex)
        sleepers += 1
        while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(&wake, &mutex) }
        sleepers -= 1
        pthread_mutex_unlock(&mutex)
        return generation.load(ordering: .acquiring)
    }
}

private final class WorkerContext {
    let pool: WorkerPool
    let index: Int
    init(pool: WorkerPool, index: Int) { self.pool = pool; self.index = index }
}

@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
