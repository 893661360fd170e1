// What every run kind built from one stored configuration value does the same way: run.json
// keeps the configuration as JSON (read back at resume and fork), the retention policy comes
// from its keep settings, and a moved data folder is written into it. A kind declares its
// configuration type and its `init(configuration:)`; this extension supplies the rest.

import RunStore

/// A run configuration as run.json stores it.
public protocol StoredRunConfiguration: Codable {
    /// The data folder (nil: the dataset's usual place).
    var dataDirectory: String? { get set }
    /// Checkpoints kept: the newest `keepLast` and every `keepEvery`-th step (epoch ends always).
    var keepLast: Int { get }
    var keepEvery: Int { get }
}

/// A run kind made from one `StoredRunConfiguration`.
public protocol ConfiguredRunKind: RunKind {
    associatedtype Configuration: StoredRunConfiguration
    var configuration: Configuration { get }
    /// A fresh run at step 0 (validates the configuration and loads its data).
    init(configuration: Configuration) throws
}

extension ConfiguredRunKind {
    public init(configurationJSON: String) throws {
        try self.init(configuration: try StateJSON.decode(Configuration.self, configurationJSON, key: "configuration"))
    }

    public func configurationJSON() throws -> String { try StateJSON.encode(configuration) }

    public var retention: RetentionPolicy {
        RetentionPolicy(keepLast: configuration.keepLast, keepEpochEnds: true, everyNth: configuration.keepEvery)
    }

    public static func relocatingData(_ configurationJSON: String, to directory: String) throws -> String {
        var c = try StateJSON.decode(Configuration.self, configurationJSON, key: "configuration")
        c.dataDirectory = directory
        return try StateJSON.encode(c)
    }
}
