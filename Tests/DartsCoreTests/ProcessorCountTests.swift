// The default worker count follows the CPUs a thread may run on (its affinity mask), not the
// CPUs the machine has: each test narrows the mask of a fresh thread and reads the count there,
// so the test process's own mask is never changed.
@testable import DartsCore
import Foundation
import Testing

@_silgen_name("sched_getaffinity")
private func getAffinity(_ pid: Int32, _ size: Int, _ mask: UnsafeMutableRawPointer) -> Int32
@_silgen_name("sched_setaffinity")
private func setAffinity(_ pid: Int32, _ size: Int, _ mask: UnsafeRawPointer) -> Int32

/// The calling thread's CPUs, as indices.
private func allowedCPUs() -> [Int] {
    var mask = [UInt](repeating: 0, count: 16)
    let rc = mask.withUnsafeMutableBytes { getAffinity(0, $0.count, $0.baseAddress!) }
    precondition(rc == 0, "sched_getaffinity failed")
    return (0..<(16 * UInt.bitWidth)).filter { mask[$0 / UInt.bitWidth] & (1 << UInt($0 % UInt.bitWidth)) != 0 }
}

/// Runs `body` on a new thread whose affinity is `cpus`, and returns its result.
private func onThread(pinnedTo cpus: [Int], _ body: @escaping @Sendable () -> Int) -> Int {
    final class Box: @unchecked Sendable { var value = -1 }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        var mask = [UInt](repeating: 0, count: 16)
        for c in cpus { mask[c / UInt.bitWidth] |= 1 << UInt(c % UInt.bitWidth) }
        let rc = mask.withUnsafeBytes { setAffinity(0, $0.count, $0.baseAddress!) }
        box.value = rc == 0 ? body() : -2
        done.signal()
    }
    thread.start()
    done.wait()
    return box.value
}

@Suite struct ProcessorCountTests {
    @Test func countIsTheAffinityMaskNotTheOnlineCount() {
        let cpus = allowedCPUs()
        #expect(!cpus.isEmpty)
        #expect(ProcessInfoLite.allowedProcessorCount() == cpus.count)
        #expect(cpus.count <= ProcessInfoLite.onlineProcessorCount())
    }

    @Test func aThreadPinnedToOneCPUCountsOne() {
        let cpus = allowedCPUs()
        #expect(onThread(pinnedTo: [cpus[0]]) { ProcessInfoLite.allowedProcessorCount() } == 1)
        // And the same thread given back every allowed CPU counts all of them again.
        #expect(onThread(pinnedTo: cpus) { ProcessInfoLite.allowedProcessorCount() } == cpus.count)
    }

    @Test(.enabled(if: allowedCPUs().count >= 2, "needs two CPUs"))
    func aThreadPinnedToTwoCPUsCountsTwo() {
        let cpus = allowedCPUs()
        #expect(onThread(pinnedTo: Array(cpus.prefix(2))) { ProcessInfoLite.allowedProcessorCount() } == 2)
    }
}
