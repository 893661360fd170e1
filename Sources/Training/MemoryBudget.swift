// Refusing a configuration that cannot fit in memory before anything is allocated: a network too
// wide or too deep otherwise dies in the allocator or grows until the OOM killer ends it, with
// nothing said. Each run kind estimates its own peak (SupernetMemory, EvaluationMemory); this file
// knows the machine's memory and the cell layout both networks share.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Sums over the cells of a DARTS network (SPEC §1: cell i reduces at ⌊L/3⌋ and ⌊2L/3⌋, doubling
/// the channels and halving the side), in closed form so that `--layers 10^12` costs nothing.
public struct CellLayoutSums: Sendable, Equatable {
    /// Σ over cells of C_cell · H · W: one feature map of every cell, per image.
    public var featureElements: Double
    /// Σ over cells of C_cell²: what a cell's 1×1 convolutions' weights scale with.
    public var channelsSquared: Double
    /// Σ over cells of C_cell: what its depthwise convolutions' weights scale with.
    public var channels: Double

    public init(channels c: Int, layers l: Int, side: Int = 32) {
        let c = Double(c), area = Double(side * side)
        let r1 = l / 3, r2 = 2 * l / 3
        // Normal cells before the first reduction, then each reduction cell with the normal
        // cells after it, at twice and four times the channels and a quarter and a sixteenth of the area.
        let n0 = Double(max(0, r1)), n1 = Double(max(0, r2 - r1)), n2 = Double(max(0, l - r2))
        featureElements = c * area * (n0 + n1 / 2 + n2 / 4)
        channelsSquared = c * c * (n0 + 4 * n1 + 16 * n2)
        channels = c * (n0 + 2 * n1 + 4 * n2)
    }
}

public enum MachineMemory {
    /// Physical memory in bytes (sysconf's pages × page size), or the cgroup's limit when a
    /// container has a lower one; nil when neither can be read.
    public static func availableBytes() -> Double? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        var bytes: Double? = pages > 0 && pageSize > 0 ? Double(pages) * Double(pageSize) : nil
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                  let limit = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0 else { continue }
            bytes = min(bytes ?? limit, limit)
        }
        return bytes
    }

    /// `bytes` as "812.3 GB" (decimal units, as `free -h --si` and the benchmarks print).
    public static func format(_ bytes: Double) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var v = bytes, i = 0
        while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        return v >= 1e4 ? String(format: "%.3g %@", v, units[i]) : String(format: "%.1f %@", v, units[i])
    }

    /// Throws when `estimate` (bytes) exceeds `available`: `what` says what needs it and
    /// `settings` which flags set its size (e.g. "--init-channels 100000, --layers 8, --batch-size 64").
    public static func check(estimate: Double, of what: String, settings: String, lower: String,
                             available: Double? = availableBytes()) throws {
        guard let available, !(estimate <= available) else { return }
        throw TrainingError.invalidConfiguration(
            "\(settings): \(what) needs an estimated \(format(estimate)) of memory, more than this machine's \(format(available)); lower \(lower)")
    }
}
