// The data a run kind reads from disk, as the launcher fingerprints it and moves it: the folder
// and the files in it. Kinds without files on disk (toy runs, in-memory tests) have none.
import Foundation

public struct DataSource: Equatable, Sendable {
    /// The dataset's name as the configuration spells it (e.g. `cifar10`).
    public var dataset: String
    /// Absolute, standardized.
    public var directory: URL
    /// File names inside `directory`, in the order the run reads them.
    public var files: [String]

    public init(dataset: String, directory: URL, files: [String]) {
        self.dataset = dataset
        self.directory = directory.standardizedFileURL
        self.files = files
    }
}

extension RunKind {
    /// The data files this run reads; nil: none on disk.
    public var dataSource: DataSource? { nil }

    /// `configurationJSON` reading its data from `directory` instead (resume with moved data).
    public static func relocatingData(_ configurationJSON: String, to directory: String) throws -> String { configurationJSON }
}
