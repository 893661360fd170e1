// Where `plot` writes: a new or empty directory (created, its parent must exist), or with
// `--force` one holding files, whose same-named figures are replaced and whose other files are
// left alone. Every file goes through AtomicFileSink (temporary beside it, fsync, link or
// rename), so an interrupted plot never leaves a partial figure or damages an existing file.

import Foundation

public struct PlotDirectory {
    public let url: URL
    public let replace: Bool
    public private(set) var written: [URL] = []

    /// Refuses a file, or a directory holding files without `replace`; nothing is created yet.
    public init(url: URL, replace: Bool) throws {
        self.url = url
        self.replace = replace
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw PlotError.outputNotDirectory(path: url.path) }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        if !replace && !entries.isEmpty { throw PlotError.outputHoldsFiles(path: url.path, count: entries.count) }
    }

    /// Creates the directory when missing (not its parents: a typo in them is an error).
    public func create() throws {
        if FileManager.default.fileExists(atPath: url.path) { return }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        } catch {
            let reason = FileManager.default.fileExists(atPath: url.deletingLastPathComponent().path)
                ? (error as NSError).localizedDescription : "its parent directory does not exist"
            throw PlotError.cannotCreate(path: url.path, reason: reason)
        }
    }

    /// Writes `bytes` to `name` inside the directory, atomically.
    public mutating func write(_ name: String, bytes: [UInt8]) throws {
        let file = url.appendingPathComponent(name)
        let sink = try AtomicFileSink(url: file, replace: replace)
        try sink.write(bytes: bytes)
        try sink.commit()
        written.append(file)
    }
}
