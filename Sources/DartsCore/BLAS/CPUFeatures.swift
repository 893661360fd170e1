// The instruction-set facts that decide which OpenBLAS kernels can run and whether results can
// match other machines bit for bit (issue 12): read once from /proc/cpuinfo.
import Foundation

public struct CPUFeatures: Sendable, Equatable {
    public var model: String
    public var avx2: Bool
    public var fma: Bool
    public var avx512f: Bool

    /// AVX2 and FMA are what OpenBLAS's Haswell kernels need: the pinned family runs on the CPU.
    public var runsPinnedKernels: Bool { avx2 && fma }

    /// This machine's CPU (all false when /proc/cpuinfo cannot be read).
    public static let current: CPUFeatures = parse(cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")

    /// Model name and flags of the first processor listed.
    public static func parse(cpuinfo text: String) -> CPUFeatures {
        var model = "unknown"
        var flags: Set<Substring> = []
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...]
            if name == "model name" && model == "unknown" {
                model = value.trimmingCharacters(in: .whitespaces)
            } else if name == "flags" && flags.isEmpty {
                flags = Set(value.split(separator: " "))
            }
        }
        return CPUFeatures(model: model, avx2: flags.contains("avx2"), fma: flags.contains("fma"),
                           avx512f: flags.contains("avx512f"))
    }
}
