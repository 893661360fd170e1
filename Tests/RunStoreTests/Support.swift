// Shared helpers for the store tests: temporary directories, sample states, shell digests, and
// the single serialised suite (HDF5 handle counts are process-wide).
import Foundation
import Testing
@testable import RunStore

/// All store tests run one at a time so the handle-leak check sees only its own files.
@Suite(.serialized) struct StoreSuite {}

func temporaryDirectory(_ label: String = #function) -> URL {
    let name = "rs-\(label.filter { $0.isLetter || $0.isNumber })-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A checkpoint touching every stored kind and awkward shape.
func sampleCheckpoint(step: Int) -> Checkpoint {
    let nanPayload = Float(bitPattern: 0x7FC0_1234)
    return Checkpoint(
        step: step,
        arrays: [
            "weights/stem.0.weight": .float32(shape: [2, 1, 3, 3], (0..<18).map { Float($0) * 0.25 - Float(step) }),
            "weights/cells.0._ops.1._ops.3.op.1.weight": .float32(shape: [1, 2, 3, 5], (0..<30).map { Float(-$0) / 7 }),
            "alphas/alphas_normal": .float32(shape: [14, 8], (0..<112).map { $0 == 5 ? nanPayload : Float($0) * 1e-3 }),
            "optimizer/adam/v": .float64(shape: [3], [0, -0.0, .infinity]),
            "data/train/permutation": .int64(shape: [5], [4, 0, 3, 1, Int64.min]),
            "fimt/mask": .uint8(shape: [2, 2], [0, 1, 255, 7]),
            "scalar/zero_d": .float32(shape: [], [3.5]),
            "empty/rows": .float32(shape: [0, 4], []),
        ],
        scalars: ["clock": 12.5, "tau": .nan, "schedule/lr": 0.025, "neg_zero": -0.0],
        integers: ["epoch": 3, "iteration": Int64.max, "rng/counter": -1],
        strings: ["genotype": "Genotype(normal=[('sep_conv_3x3', 0)])", "empty": "", "unicode": "τ α F̄ ✓"])
}

func sampleRow(step: Int) -> HistoryRow {
    HistoryRow(step: step, values: ["loss": 2.5 / Double(step), "alpha_step": Double(step % 2), "F": .nan],
               arrays: ["alphas_normal_softmax": .float32(shape: [2, 2], [0.25, 0.75, Float(step), 1])])
}

/// Runs a shell command and returns stdout (for independent tools: sha256sum, h5dump).
func shell(_ command: String) throws -> (status: Int32, out: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// SHA-256 by the system's sha256sum, independent of the code under test.
func sha256sum(_ data: Data) throws -> String {
    let f = FileManager.default.temporaryDirectory.appendingPathComponent("rs-sha-\(UInt32.random(in: 0...UInt32.max))")
    try data.write(to: f)
    defer { try? FileManager.default.removeItem(at: f) }
    return String(try shell("sha256sum '\(f.path)'").out.prefix(64))
}

/// Every open HDF5 identifier whose file lies under `dir`.
func openHandles(under dir: URL) -> [String] {
    HDF5.openObjectFileNames().filter { $0.hasPrefix(dir.path) || $0.hasPrefix(dir.standardizedFileURL.path) }
}

func directorySnapshot(_ dir: URL) -> [String: Data] {
    var out: [String: Data] = [:]
    let e = FileManager.default.enumerator(atPath: dir.path)
    while let rel = e?.nextObject() as? String {
        var isDir: ObjCBool = false
        let full = dir.appendingPathComponent(rel).path
        _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDir)
        out[rel] = isDir.boolValue ? Data() : FileManager.default.contents(atPath: full)
    }
    return out
}
