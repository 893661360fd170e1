// The kernel pin inside a test process (the test runners use DartsCore like the CLI does), and
// the /proc/cpuinfo reading it rests on.
import Foundation
import Testing
@testable import DartsCore

@Suite struct OpenBLASPinTests {
    @Test func cpuinfoFlagsAreRead() {
        let text = """
        processor\t: 0
        model name\t: Test CPU @ 2.0GHz
        flags\t\t: fpu sse2 avx fma avx2 bmi2
        processor\t: 1
        model name\t: Other
        flags\t\t: fpu avx512f
        """
        let f = CPUFeatures.parse(cpuinfo: text)
        #expect(f == CPUFeatures(model: "Test CPU @ 2.0GHz", avx2: true, fma: true, avx512f: false))
        #expect(f.runsPinnedKernels)
        #expect(!CPUFeatures.parse(cpuinfo: "flags\t: sse2 avx2\n").runsPinnedKernels, "FMA missing")
        #expect(CPUFeatures.parse(cpuinfo: "").model == "unknown")
    }

    @Test func thisProcessRunsThePinnedKernels() throws {
        let forced = ProcessInfo.processInfo.environment["DARTSPRIME_OPENBLAS_CORETYPE"]
        try #require(forced == nil || forced!.isEmpty, "DARTSPRIME_OPENBLAS_CORETYPE is set for the tests: unset it (make test does)")
        let facts = OpenBLAS.facts
        #expect(facts.threads == 1)
        #expect(facts.config.hasPrefix("OpenBLAS"))
        if CPUFeatures.current.runsPinnedKernels {
            #expect(facts.coreName == OpenBLAS.pinnedCoreType)
            #expect(facts.requestedCoreType == OpenBLAS.pinnedCoreType)
            #expect(facts.pinned && facts.caveat == nil)
        } else {
            #expect(!facts.pinned && facts.caveat != nil)
        }
        // The pin reaches the GEMM: a product through OpenBLAS still equals the oracle.
        let a: [Float] = [1, 2, 3, 4, 5, 6], b: [Float] = [1, 0, 0, 1, 1, 1]
        var c = [Float](repeating: 0, count: 4)
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
            gemm(m: 2, n: 2, k: 3, a: pa.baseAddress!, b: pb.baseAddress!, c: pc.baseAddress!)
        } } }
        #expect(c == [4, 5, 10, 11])
    }
}
