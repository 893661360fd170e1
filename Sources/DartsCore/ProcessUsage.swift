// What a benchmark reports besides wall time: this process's CPU seconds and peak resident memory.
//
// Here, below every benchmark (the search step's in Search, the evaluation network's in
// Evaluation), so both measure the same way; Linux only, as the benchmarks are.
#if canImport(Glibc)
import Glibc
#endif

/// User + system CPU seconds of this process so far (all threads).
public func processCPUSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6
        + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
}

/// Peak resident set size of this process (VmHWM from /proc/self/status), in MB; NaN when that
/// file cannot be read.
public func peakResidentMegabytes() -> Double {
    guard let f = fopen("/proc/self/status", "r") else { return .nan }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), f) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard text.hasPrefix("VmHWM:") else { continue }
        let kb = text.split(separator: " ").compactMap { Double($0) }.first ?? .nan
        return kb / 1024
    }
    return .nan
}
