// What resume and fork do with a run's data before continuing it: find the folder (`--data`, else
// data_location.json, else the configuration's), compare the files with data_fingerprint.json
// and refuse a change unless it is accepted, and say what the run records of it. Nothing is
// written here: the caller writes the records once the run can go on.
import Foundation
import RunStore

/// The data of a run that has changed since its fingerprint: one line naming the file.
public struct DataChangedError: Error, CustomStringConvertible {
    public var description: String
}

struct DataCheck {
    /// The folder the run kind must read instead of its configuration's (nil: the configuration's).
    var relocation: String?
    /// The records as they must be after this resume (unchanged when nothing moved or changed).
    var fingerprint: DataFingerprint?
    var location: DataLocation?
    /// Whether either record differs from what the run holds.
    var recordsChanged = false
    /// The notice for a run without a fingerprint, given once the kind is known to read data files.
    private var unchecked: String?

    /// Checks `store`'s data in `override` (resume --data) or where the run records it.
    /// `command` names the caller in notices ("resume", "fork").
    init(_ store: RunStore, override: URL?, acceptChanged: Bool, command: String, notice: (String) -> Void) throws {
        let storedFingerprint = try store.readDataFingerprint()
        let storedLocation = try store.readDataLocation()
        let step = store.latestStep ?? 0
        let override = override?.standardizedFileURL
        if let override {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: override.path, isDirectory: &isDir) else {
                throw DataChangedError(description: "\(override.path): no such data folder (--data)")
            }
            guard isDir.boolValue else { throw DataChangedError(description: "\(override.path): is a file; --data must be the folder holding the data files") }
        }
        // A run made before data locations were recorded moves from its configuration's folder.
        let current = storedLocation?.directory ?? storedFingerprint?.directory
        relocation = override?.path ?? current
        location = storedLocation
        if let override, override.path != current {
            // A run without a location record read the configuration's folder (relative to the working folder).
            let base = storedLocation ?? DataLocation(path: current
                ?? Self.configuredDirectory(store).map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? "(the dataset's default folder)")
            location = base.moved(to: override, step: step)
            recordsChanged = true
        }
        fingerprint = storedFingerprint
        guard let recorded = storedFingerprint else {
            unchecked = "\(command): \(store.url.path) has no \(DataFingerprint.fileName) (made before data was fingerprinted); its data cannot be checked"
            return
        }
        let directory = URL(fileURLWithPath: relocation ?? recorded.directory)
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir) || !isDir.boolValue {
            throw DataChangedError(description:
                "\(directory.path): the run's data folder is gone; if the data moved, pass --data with its new folder (the run records it)")
        }
        let changed = try recorded.differences(in: directory)
        guard !changed.isEmpty else { return }
        guard acceptChanged else {
            let first = changed[0]
            let more = changed.count > 1 ? " (and \(changed.count - 1) more changed file\(changed.count > 2 ? "s" : ""))" : ""
            throw DataChangedError(description:
                "\(directory.appendingPathComponent(first.name).path): the data changed since the run was fingerprinted: "
                + "\(DataFingerprint.describe(first))\(more); restore it, point --data at the original data, or pass "
                + "--accept-changed-data (the run is then no longer bit-exact with its past)")
        }
        var accepted = recorded
        accepted.acceptedChanges.append(AcceptedDataChange(time: RunStore.utcTimestamp(Date()), step: step,
                                                           directory: directory.path, files: changed))
        accepted.directory = directory.path
        accepted.files = recorded.files.map { file in changed.first { $0.name == file.name }?.found ?? file }
        fingerprint = accepted
        recordsChanged = true
        notice("\(command): --accept-changed-data: continuing with \(changed.count) changed data file\(changed.count > 1 ? "s" : "") "
               + "(\(changed.map(\.name).joined(separator: ", "))), recorded in \(DataFingerprint.fileName)")
    }

    /// Says that `kind`'s data could not be checked, when it reads data files the run has no
    /// fingerprint of (a kind without data files, e.g. a toy run, needs none).
    func noticeIfUnchecked(_ kind: any RunKind, _ notice: (String) -> Void) {
        if let unchecked, kind.dataSource != nil { notice(unchecked) }
    }

    /// The configuration's data folder as text, if it names one.
    static func configuredDirectory(_ store: RunStore) -> String? {
        guard let data = store.configurationJSON.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["dataDirectory"] as? String
    }

    /// The records for a new run made from `source`.
    static func records(for source: DataSource) throws -> [String: String] {
        try RunStore.dataRecordFiles(fingerprint: try DataFingerprint(dataset: source.dataset, directory: source.directory, names: source.files),
                                     location: DataLocation(directory: source.directory))
    }

    /// Writes the changed records into `store`.
    func write(to store: RunStore) throws {
        guard recordsChanged else { return }
        if let fingerprint { try store.writeDataFingerprint(fingerprint) }
        if let location { try store.writeDataLocation(location) }
    }

    var files: [String: String] {
        get throws { try RunStore.dataRecordFiles(fingerprint: fingerprint, location: location) }
    }
}
