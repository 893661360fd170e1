// Transparent huge pages for the heap the tensors live in. DartsCore keeps glibc from mapping
// blocks of their own and from trimming the heap (Parallel.swift, configureAllocator), so a
// training step reuses the memory the last one freed; with 4 KB pages the first step still faults
// and zeroes about a million of them, and the kernels that walk planes C·H·W floats apart miss in
// the TLB. glibc advises huge pages for its heap only under the tunable glibc.malloc.hugetlb=1,
// which it reads when the process starts, so the tool re-executes itself once with it set (a
// paper-size `bench eval`: per iteration 0.95×, the whole process 0.82×, in docs/BENCHMARKS.md).
// Where the user's GLIBC_TUNABLES already names it, or the kernel has huge pages off, nothing
// changes. Which pages back the heap changes no bit.

#if canImport(Glibc)
import Glibc

enum HugePageHeap {
    static let tunable = "glibc.malloc.hugetlb"

    /// Re-executes this process with glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES; returns
    /// (and the tool runs on as it is) when that is not wanted or the exec fails.
    static func reexecIfUseful() {
        let current = getenv("GLIBC_TUNABLES").map { String(cString: $0) } ?? ""
        if current.contains(tunable) || !kernelOffersHugePages() { return }
        setenv("GLIBC_TUNABLES", current.isEmpty ? "\(tunable)=1" : "\(current):\(tunable)=1", 1)
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &argv)
        // The exec failed: keep the environment as it was, for this process and its children.
        if current.isEmpty { unsetenv("GLIBC_TUNABLES") } else { setenv("GLIBC_TUNABLES", current, 1) }
    }

    /// Whether the kernel's transparent huge pages are `always` or `madvise` (not `never`).
    private static func kernelOffersHugePages() -> Bool {
        guard let file = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r") else { return false }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 128)
        guard fgets(&line, Int32(line.count), file) != nil else { return false }
        let mode = String(cString: line)
        return mode.contains("[always]") || mode.contains("[madvise]")
    }
}
#else
enum HugePageHeap { static func reexecIfUseful() {} }
#endif
