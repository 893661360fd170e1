// The optional converters `plot` uses when installed: Graphviz's `dot` (DOT → SVG/PNG) and
// librsvg's `rsvg-convert` (SVG → PNG). Found on PATH; their output is read from stdout, so it
// is written through the same atomic sink as the SVGs.

import Foundation

public struct ExternalTool: Sendable {
    public let name: String
    public let url: URL

    /// `name` on PATH (or nil when it is not installed).
    public static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> ExternalTool? {
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return ExternalTool(name: name, url: url) }
        }
        return nil
    }

    /// Runs the tool on `arguments`; its stdout, or the first line of its stderr as the error.
    public func run(_ arguments: [String]) -> Result<[UInt8], ToolFailure> {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return .failure(ToolFailure(reason: "\(name) did not start: \(error)")) }
        // stderr is drained beside stdout so a chatty tool cannot block on a full pipe.
        let errors = ErrorCollector(err.fileHandleForReading)
        let bytes = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let message = errors.finish()
        guard p.terminationStatus == 0, !bytes.isEmpty else {
            let first = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? "exit status \(p.terminationStatus)"
            return .failure(ToolFailure(reason: "\(name) failed: \(first)"))
        }
        return .success(Array(bytes))
    }
}

public struct ToolFailure: Error, Sendable { public var reason: String }

/// Reads a pipe to its end on another thread.
private final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func finish() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
