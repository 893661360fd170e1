// A run's identity: the SHA-256 of its run.json bytes (configuration, environment, retention,
// run kind), so a derived run (an evaluation) can name exactly which run it came from.
import Crypto
import Foundation

extension RunStore {
    /// Hex SHA-256 of this run's run.json as stored.
    public func identity() throws -> String {
        let url = self.url.appendingPathComponent("run.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw StoreError.missingRun(path: self.url.path)
        }
        return StateDigest.hex(SHA256.hash(data: data))
    }
}
