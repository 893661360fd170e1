// What machine and build produced a run: gathered without the numeric modules, so callers add
// their own facts (OpenBLAS configuration, thread count) through `extra`.
import Foundation

public enum RunEnvironment {
    /// git commit, Swift version, CPU model, core count and OS, merged with `extra` (which wins).
    public static func current(extra: [String: String] = [:]) -> [String: String] {
        var env: [String: String] = [
            "swift_version": swiftVersion,
            "cpu_model": cpuModel() ?? "unknown",
            "cpu_count": String(ProcessInfo.processInfo.activeProcessorCount),
            "os": ProcessInfo.processInfo.operatingSystemVersionString,
            "git_commit": gitCommit() ?? "unknown",
        ]
        env.merge(extra) { _, new in new }
        return env
    }

    /// The compiler that built this binary, to the minor version.
    public static var swiftVersion: String {
        #if swift(>=7.0)
        "7.0+"
        #elseif swift(>=6.3)
        "6.3"
        #elseif swift(>=6.2)
        "6.2"
        #elseif swift(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    /// `git rev-parse HEAD` in the working directory, nil when git or a repository is missing.
    static func gitCommit() -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "rev-parse", "HEAD"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        let s = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }
}
