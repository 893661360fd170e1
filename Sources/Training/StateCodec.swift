// One state codec for every run kind: a run kind lists its pieces of state once, each under
// its own key prefix, and the same list both writes a checkpoint and reads it back.
//
// Keys are slash paths (docs/FORMAT.md): an entry "optimizer/sgd" writes "optimizer/sgd/lr",
// "optimizer/sgd/momentum/<name>", …; an entry may also store one value at its own key (the
// JSON of a small Codable state such as "schedule"). Per-step observations that are stored but
// never read back (losses, activated α, the genotype) go through the same writer, unscoped.

import Foundation
import DartsCore
import RunStore

/// Builds the arrays, scalars, integers and strings of a checkpoint under a key prefix.
public struct StateWriter {
    public private(set) var checkpoint: Checkpoint
    private let prefix: String

    public init(step: Int = 0) { checkpoint = Checkpoint(step: step); prefix = "" }

    /// The step the checkpoint belongs to (the trainer sets it when it commits).
    public var step: Int {
        get { checkpoint.step }
        set { checkpoint.step = newValue }
    }

    private init(checkpoint: Checkpoint, prefix: String) { self.checkpoint = checkpoint; self.prefix = prefix }

    /// `key` under this writer's prefix; the empty key is the prefix itself.
    func path(_ key: String) -> String {
        prefix.isEmpty ? key : key.isEmpty ? prefix : prefix + "/" + key
    }

    /// Runs `body` with a writer whose keys sit under `key`, and keeps what it wrote.
    public mutating func scoped(_ key: String, _ body: (inout StateWriter) throws -> Void) rethrows {
        var inner = StateWriter(checkpoint: checkpoint, prefix: path(key))
        try body(&inner)
        checkpoint = inner.checkpoint
    }

    public mutating func array(_ key: String, _ value: StoredArray) {
        let k = path(key)
        precondition(checkpoint.arrays[k] == nil, "state key \(k) written twice")
        checkpoint.arrays[k] = value
    }

    public mutating func tensor(_ key: String, _ value: Tensor) { array(key, StoredArray(value)) }

    public mutating func scalar(_ key: String, _ value: Double) {
        let k = path(key)
        precondition(checkpoint.scalars[k] == nil, "state key \(k) written twice")
        checkpoint.scalars[k] = value
    }

    public mutating func integer(_ key: String, _ value: Int) {
        let k = path(key)
        precondition(checkpoint.integers[k] == nil, "state key \(k) written twice")
        checkpoint.integers[k] = Int64(value)
    }

    public mutating func string(_ key: String, _ value: String) {
        let k = path(key)
        precondition(checkpoint.strings[k] == nil, "state key \(k) written twice")
        checkpoint.strings[k] = value
    }

    /// A Codable value as JSON with sorted keys and exact doubles (`StateJSON`).
    public mutating func json<T: Encodable>(_ key: String, _ value: T) throws {
        string(key, try StateJSON.encode(value))
    }
}

/// Reads back what a `StateWriter` wrote, under the same prefix; every miss is a one-sentence
/// `TrainingError.incompatibleCheckpoint` naming the key and the step.
public struct StateReader {
    public let checkpoint: Checkpoint
    private let prefix: String

    public init(_ checkpoint: Checkpoint) { self.checkpoint = checkpoint; prefix = "" }
    private init(checkpoint: Checkpoint, prefix: String) { self.checkpoint = checkpoint; self.prefix = prefix }

    func path(_ key: String) -> String {
        prefix.isEmpty ? key : key.isEmpty ? prefix : prefix + "/" + key
    }

    public func scoped(_ key: String) -> StateReader { StateReader(checkpoint: checkpoint, prefix: path(key)) }

    private func missing(_ key: String, _ what: String = "") -> TrainingError {
        .incompatibleCheckpoint("checkpoint of step \(checkpoint.step) has no \(what.isEmpty ? "" : what + " ")\(path(key))")
    }

    public func array(_ key: String) throws -> StoredArray {
        guard let a = checkpoint.arrays[path(key)] else { throw missing(key, "tensor") }
        return a
    }

    /// A float32 tensor of exactly `shape`.
    public func tensor(_ key: String, shape: [Int]) throws -> Tensor {
        let a = try array(key)
        guard case let .float32(values) = a.data else {
            throw TrainingError.incompatibleCheckpoint("checkpoint tensor \(path(key)) is not float32")
        }
        guard a.shape == shape else {
            throw TrainingError.incompatibleCheckpoint(
                "checkpoint tensor \(path(key)) has shape \(a.shape), the model expects \(shape)")
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// Every float32 tensor directly under `key/` by its remaining name (e.g. optimizer buffers by parameter).
    public func tensors(under key: String) throws -> [String: Tensor] {
        let p = path(key) + "/"
        var out: [String: Tensor] = [:]
        for (k, a) in checkpoint.arrays where k.hasPrefix(p) {
            guard case let .float32(values) = a.data else {
                throw TrainingError.incompatibleCheckpoint("checkpoint tensor \(k) is not float32")
            }
            out[String(k.dropFirst(p.count))] = Tensor(shape: a.shape, scalars: values)
        }
        return out
    }

    public func scalar(_ key: String) throws -> Double {
        guard let v = checkpoint.scalars[path(key)] else { throw missing(key, "scalar") }
        return v
    }

    public func integer(_ key: String) throws -> Int {
        guard let v = checkpoint.integers[path(key)] else { throw missing(key, "integer") }
        return Int(v)
    }

    public func string(_ key: String) throws -> String {
        guard let v = checkpoint.strings[path(key)] else { throw missing(key, "entry") }
        return v
    }

    public func json<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
        try StateJSON.decode(type, try string(key), key: path(key))
    }
}

/// One piece of a run's state under its key: how it saves itself and how it loads itself back.
public struct StateEntry {
    public let key: String
    let save: (inout StateWriter) throws -> Void
    let load: (StateReader) throws -> Void

    public init(_ key: String, save: @escaping (inout StateWriter) throws -> Void,
                load: @escaping (StateReader) throws -> Void) {
        self.key = key; self.save = save; self.load = load
    }
}

/// Saving and restoring a whole state list.
public enum StateCodec {
    /// Writes every entry under its key into `writer`.
    public static func save(_ entries: [StateEntry], into writer: inout StateWriter) throws {
        for e in entries { try writer.scoped(e.key) { try e.save(&$0) } }
    }

    /// Restores every entry from `checkpoint`. `skipping` leaves the named entries as they are:
    /// only the resume tests' negative controls use it, to show each entry matters.
    public static func restore(_ entries: [StateEntry], from checkpoint: Checkpoint, skipping: Set<String> = []) throws {
        let reader = StateReader(checkpoint)
        for e in entries where !skipping.contains(e.key) { try e.load(reader.scoped(e.key)) }
    }
}

extension StoredArray {
    public init(_ t: Tensor) { self.init(shape: t.shape, data: .float32(t.scalars)) }
    public init(doubles: [Double], shape: [Int]) { self.init(shape: shape, data: .float64(doubles)) }
    public init(ints: [Int]) { self.init(shape: [ints.count], data: .int64(ints.map(Int64.init))) }
    public init(flags: [Bool], shape: [Int]) { self.init(shape: shape, data: .uint8(flags.map { $0 ? 1 : 0 })) }
}
