// The optional converters `plot` uses when installed: Graphviz's `dot` (DOT → SVG/PNG) and
// librsvg's `rsvg-convert` (SVG → PNG), and the Slurm tools `experiment` runs (sbatch, squeue,
// sacct). Found on PATH; a converter's output is read from stdout, so it is written through the
// same atomic sink as the SVGs.

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
        let outcome: ToolOutcome
        switch execute(arguments) {
        case .failure(let f): return .failure(f)
        case .success(let o): outcome = o
        }
        guard outcome.status == 0, !outcome.output.isEmpty else {
            let first = outcome.errorText.split(whereSeparator: \.isNewline).first.map(String.init) ?? "exit status \(outcome.status)"
            return .failure(ToolFailure(reason: "\(name) failed: \(first)"))
        }
        return .success(outcome.output)
    }

    /// Runs the tool on `arguments` (stdin empty) and returns how it ended, whatever its status;
    /// one still running after `timeout` seconds is terminated and reported as not answering.
    public func execute(_ arguments: [String], timeout: Double? = nil) -> Result<ToolOutcome, ToolFailure> {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return .failure(ToolFailure(reason: "\(name) did not start: \(error)")) }
        let watchdog = timeout.map { Watchdog(p, seconds: $0) }
        // stderr is drained beside stdout so a chatty tool cannot block on a full pipe.
        let errors = ErrorCollector(err.fileHandleForReading)
        let bytes = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if let watchdog, watchdog.fired {
            return .failure(ToolFailure(reason: "\(name) did not answer within \(Int(watchdog.seconds)) s"))
        }
        watchdog?.cancel()
        return .success(ToolOutcome(status: p.terminationStatus, output: Array(bytes), errorText: errors.finish()))
    }
}

/// How a tool's run ended: its exit status, stdout and stderr.
public struct ToolOutcome: Sendable {
    public var status: Int32
    public var output: [UInt8]
    public var errorText: String
    public var outputText: String { String(decoding: output, as: UTF8.self) }
}

public struct ToolFailure: Error, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// Terminates a process that runs longer than `seconds` (a Slurm tool retrying an unreachable controller).
private final class Watchdog: @unchecked Sendable {
    let seconds: Double
    private let lock = NSLock()
    private var state = 0  // 0 waiting, 1 fired, 2 cancelled

    init(_ process: Process, seconds: Double) {
        self.seconds = seconds
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
            lock.lock(); defer { lock.unlock() }
            guard state == 0 else { return }
            state = 1
            process.terminate()
        }
    }

    var fired: Bool { lock.lock(); defer { lock.unlock() }; return state == 1 }
    func cancel() { lock.lock(); defer { lock.unlock() }; if state == 0 { state = 2 } }
}

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
