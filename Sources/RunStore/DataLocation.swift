// data_location.json: where a run's data is now. run.json (and the configuration in it) is
// written once; when the data moves, `resume --data DIR` records the new folder here, and every
// later resume and fork reads it from here.
import Foundation

public struct DataMove: Codable, Equatable, Sendable {
    public var time: String
    /// The newest committed step when the move was recorded.
    public var step: Int
    public var from: String
    public var to: String
}

public struct DataLocation: Codable, Equatable, Sendable {
    public static let fileName = "data_location.json"
    public static let format = "dartsprime-data-location"
    public var format = DataLocation.format
    public var formatVersion = 1
    /// The absolute folder the run reads its data from.
    public var directory: String
    /// Every move, oldest first (empty: the data is where the run was created).
    public var moves: [DataMove] = []

    enum CodingKeys: String, CodingKey { case format, formatVersion = "format_version", directory, moves }

    public init(directory: URL) { self.directory = directory.standardizedFileURL.path }
    /// A location as text (a run made before this record: its configuration's folder as written).
    public init(path: String) { directory = path }

    /// This location after moving the data to `to` at `step`.
    public func moved(to: URL, step: Int, at time: Date = Date()) -> DataLocation {
        var next = DataLocation(directory: to)
        next.moves = moves + [DataMove(time: RunStore.utcTimestamp(time), step: step, from: directory, to: next.directory)]
        return next
    }
}
