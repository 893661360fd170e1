// What machine and build produced a run: gathered without the numeric modules, so callers add
// their own facts (OpenBLAS configuration, thread count) through `extra`.
import Crypto
import Foundation

public enum RunEnvironment {
    /// Binary identity (git commit of the checkout that built it, SHA-256 of the executable),
    /// Swift version, CPU model, core count and OS, merged with `extra` (which wins).
    public static func current(extra: [String: String] = [:]) -> [String: String] {
        var env: [String: String] = [
            "swift_version": swiftVersion,
            "cpu_model": cpuModel() ?? "unknown",
            "cpu_count": String(ProcessInfo.processInfo.activeProcessorCount),
            "os": ProcessInfo.processInfo.operatingSystemVersionString,
            "git_commit": buildCommit ?? "unknown",
            "executable_sha256": executableDigest ?? "unknown",
        ]
        env.merge(extra) { _, new in new }
        return env
    }

    /// SHA-256 of the running executable (/proc/self/exe): the binary's identity even when it was
    /// copied away from its checkout. Computed once per process.
    public static let executableDigest: String? = {
        guard let data = FileManager.default.contents(atPath: "/proc/self/exe") else { return nil }
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }()

    /// The git checkout holding the executable (nil outside one): where its sources and
    /// `seeds/` are. Never the caller's working folder, which may be any repository.
    public static let buildCheckout: URL? = {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(".git").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    /// The commit of `buildCheckout` (`-dirty` when tracked files were modified).
    public static let buildCommit: String? = {
        guard let dir = buildCheckout, let head = git(["rev-parse", "HEAD"], in: dir), !head.isEmpty else { return nil }
        let dirty = git(["status", "--porcelain", "--untracked-files=no"], in: dir).map { !$0.isEmpty } ?? false
        return dirty ? head + "-dirty" : head
    }()

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

    /// `git ARGS` in `dir`, trimmed output, nil when git fails.
    static func git(_ arguments: [String], in dir: URL) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir.path] + arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
