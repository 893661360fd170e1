// The state entries every run kind shares: a model's named tensors, SGD and Adam, a Codable
// value kept as JSON, and an explicit random generator. Each writes and reads the same keys.

import DartsCore
import DartsNN
import RunStore

extension StateEntry {
    /// A model's named tensors (weights, batch-norm buffers, α) as `<key>/<state_dict name>`;
    /// loading checks every name and shape.
    public static func parameters(_ key: String, _ tensors: @escaping () -> [Parameter]) -> StateEntry {
        StateEntry(key, save: { w in
            for p in tensors() { w.tensor(p.name, p.value) }
        }, load: { r in
            for p in tensors() { p.value = try r.tensor(p.name, shape: p.shape) }
        })
    }

    /// SGD: `lr` and one momentum buffer per parameter under `momentum/<name>`.
    public static func sgd(_ key: String, _ sgd: SGD) -> StateEntry {
        StateEntry(key, save: { w in
            w.scalar("lr", Double(sgd.lr))
            for (name, buffer) in sgd.momentumBuffers { w.tensor("momentum/" + name, buffer) }
        }, load: { r in
            sgd.lr = Float(try r.scalar("lr"))
            sgd.momentumBuffers = try r.tensors(under: "momentum")
        })
    }

    /// Adam: `lr`, `step` and both moments per parameter under `exp_avg/<name>`, `exp_avg_sq/<name>`.
    public static func adam(_ key: String, _ adam: Adam) -> StateEntry {
        StateEntry(key, save: { w in
            w.scalar("lr", Double(adam.lr))
            w.integer("step", adam.stepCount)
            for (name, m) in adam.firstMoments { w.tensor("exp_avg/" + name, m) }
            for (name, v) in adam.secondMoments { w.tensor("exp_avg_sq/" + name, v) }
        }, load: { r in
            adam.lr = Float(try r.scalar("lr"))
            adam.stepCount = try r.integer("step")
            adam.firstMoments = try r.tensors(under: "exp_avg")
            adam.secondMoments = try r.tensors(under: "exp_avg_sq")
        })
    }

    /// A Codable value stored as JSON at `key` itself (counters, schedules, data-stream states).
    public static func json<T: Codable>(_ key: String, get: @escaping () -> T,
                                        set: @escaping (T) throws -> Void) -> StateEntry {
        StateEntry(key, save: { w in try w.json("", get()) },
                   load: { r in try set(try r.json(T.self, "")) })
    }

    /// An explicit random generator: its four state words as int64 at `key`.
    public static func random(_ key: String, get: @escaping () -> PhiloxRandom,
                              set: @escaping (PhiloxRandom) -> Void) -> StateEntry {
        StateEntry(key, save: { w in
            w.array("", StoredArray(shape: [4], data: .int64(get().stateWords.map { Int64(bitPattern: $0) })))
        }, load: { r in
            guard case let .int64(words) = try r.array("").data, words.count == 4 else {
                throw TrainingError.incompatibleCheckpoint("checkpoint entry \(key) is not a random generator state")
            }
            set(PhiloxRandom(stateWords: words.map { UInt64(bitPattern: $0) }))
        })
    }
}
