// The run directory: creating and opening runs, committing steps (checkpoint file, then history,
// then retention), and loading them back. Layout and crash-safety argument in FORMAT.md.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class RunStore {
    public let url: URL
    public let configurationJSON: String
    public let environment: [String: String]
    /// The environment written into each new checkpoint: the process writing it, which after a
    /// resume on another machine differs from run.json's creation environment.
    public var checkpointEnvironment: [String: String] {
        didSet { template = nil }
    }
    public let retention: RetentionPolicy
    /// The kind of run (run.json's `run_kind`; `cnn-search` for runs written before it existed).
    public let runKind: String
    /// Opened with `readOnly: true`: nothing on disk is ever changed.
    public let isReadOnly: Bool
    /// SHA-256 of run.json as it was opened (`identity()`), written into every new checkpoint
    /// and checked against each one loaded (RunStore+Binding).
    public private(set) var runIdentity = ""
    /// When this process opened (or created) the run, and the wall seconds earlier sessions
    /// recorded in status.json (read at this session's first status write): status.json's
    /// `wall_seconds` is their sum (RunStore+Status).
    let sessionStarted = Date()
    var earlierSessionsWallSeconds: Double?

    /// Steps whose full state is still on disk, ascending.
    public private(set) var storedSteps: [Int]
    private var epochEnds: Set<Int>
    /// Index of the last history segment and its rows (the only segment ever rewritten).
    private(set) var openSegmentIndex: Int
    private(set) var openSegmentRows: [HistoryRow]
    /// Rows no segment holds, read from their kept checkpoints (RunStore+HistoryRecovery): the
    /// newest step's after a crash between the checkpoint's rename and the history write, or
    /// several after `history/` or a segment was deleted. Ascending; read-only opens keep them
    /// only in memory.
    var recoveredRows: [HistoryRow] = []
    var recoveredRow: HistoryRow? { recoveredRows.last }
    /// Steps from the run's first to its newest recoverable one that neither a segment nor a
    /// readable checkpoint holds, ascending: a writer's open refuses them.
    public internal(set) var lostHistorySteps: [Int] = []
    /// The step the run's history starts at (0; a fork's or an old run's may start later),
    /// recorded in every checkpoint so a deleted `history/` knows which rows it lacked. Nil
    /// until the first commit.
    var historyFirstStep: Int? {
        didSet { if historyFirstStep != oldValue { template = nil } }
    }
    /// The steps whose history rows a writer's open rebuilt from their checkpoints (the newest
    /// one alone after a crash mid-commit; several after `history/` was deleted).
    public internal(set) var rebuiltHistorySteps: [Int] = []
    /// Segment indices below the last one whose file is missing.
    public internal(set) var missingSegments: [Int] = []
    /// Checkpoint files the scan could not read (header, or the newest one's history row), by
    /// step: `resume` falls back past them, `verify` reports them.
    public internal(set) var damagedCheckpoints: [Int: StoreError] = [:]
    private var lockDescriptor: Int32 = -1
    /// The last checkpoint file's bytes and where its values live, so the next commit of the
    /// same layout only copies values in (see CheckpointTemplate).
    private var template: CheckpointTemplate?
    /// Crash-test negative control only (Benchmarks' StoreTortureWorkload): write files in place,
    /// torn by a kill, instead of atomically. It stays here because only the store's own write
    /// path can be made non-atomic; `package` keeps it out of the public API.
    package var nonAtomicWritesForCrashTest = false

    var checkpointsURL: URL { url.appendingPathComponent("checkpoints") }
    var historyURL: URL { url.appendingPathComponent("history") }
    static let reservedNames: Set<String> = [RunManifest.fileName, "status.json", "checkpoints", "history", ".lock",
                                             DataFingerprint.fileName, DataLocation.fileName]

    public var latestStep: Int? {
        [storedSteps.last, recoveredRows.last?.step, openSegmentRows.last?.step].compactMap { $0 }.max()
    }

    private init(url: URL, manifest: RunManifest, readOnly: Bool) {
        self.url = url.standardizedFileURL
        self.configurationJSON = manifest.configurationJSON
        self.environment = manifest.environment
        self.checkpointEnvironment = manifest.environment
        self.retention = manifest.retention
        self.runKind = manifest.runKind ?? RunManifest.defaultRunKind
        self.isReadOnly = readOnly
        storedSteps = []; epochEnds = []; openSegmentIndex = -1; openSegmentRows = []
    }

    deinit { close() }

    /// Releases the writer lock now (it is also released at deinit or process death).
    public func close() {
        template = nil
        if lockDescriptor >= 0 { Glibc.close(lockDescriptor); lockDescriptor = -1 }
    }

    // MARK: - Create / open

    /// Creates a new run directory; fails if it exists and is not empty. The directory is
    /// assembled under a temporary name beside `url` and renamed into place, so a crash leaves
    /// either no run or a complete empty one. `files` (name → text, e.g. the data records) are
    /// written into it before it is moved into place.
    public static func create(at url: URL, configurationJSON: String, environment: [String: String],
                              retention: RetentionPolicy = .init(), runKind: String? = nil,
                              files: [String: String] = [:]) throws -> RunStore {
        let fm = FileManager.default
        let url = url.standardizedFileURL
        try checkCreatable(at: url)
        let manifest = RunManifest(format: RunManifest.format, formatVersion: RunManifest.formatVersion,
                                   configurationJSON: configurationJSON, environment: environment, retention: retention,
                                   runKind: runKind)
        let parent = url.deletingLastPathComponent()
        let temp = parent.appendingPathComponent("\(AtomicFile.temporaryPrefix)\(url.lastPathComponent).\(getpid())")
        AtomicFile.removeStaleRunTemporaries(besides: url)
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            try? fm.removeItem(at: temp)
            for d in ["checkpoints", "history"] {
                try fm.createDirectory(at: temp.appendingPathComponent(d), withIntermediateDirectories: true)
            }
        } catch { throw StoreError.io(file: url.path, reason: "cannot create the run directory: \(error.localizedDescription)") }
        do {
            try AtomicFile.replace(temp.appendingPathComponent(RunManifest.fileName), text: try manifest.encoded())
            for (name, text) in files.sorted(by: { $0.key < $1.key }) { try AtomicFile.replace(temp.appendingPathComponent(name), text: text) }
            for d in ["checkpoints", "history"] { try AtomicFile.fsyncPath(temp.appendingPathComponent(d), directory: true) }
            guard rename(temp.path, url.path) == 0 else { throw AtomicFile.errnoError(url, "cannot move the new run directory into place") }
            try AtomicFile.fsyncPath(parent, directory: true)
        } catch {
            try? fm.removeItem(at: temp)
            throw error
        }
        let store = RunStore(url: url, manifest: manifest, readOnly: false)
        store.runIdentity = try store.identity()
        try store.acquireLock()
        return store
    }

    /// Throws unless a run can be created at `url`: it must be missing or an empty folder (a
    /// folder holding a run says how to continue it). Callers check before loading data, and
    /// `create` checks again.
    public static func checkCreatable(at url: URL) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { return }
        guard isDir.boolValue, (try? fm.contentsOfDirectory(atPath: url.path))?.isEmpty == true else {
            if fm.fileExists(atPath: url.appendingPathComponent(RunManifest.fileName).path) {
                throw StoreError.existingRun(path: url.standardizedFileURL.path)
            }
            throw StoreError.runExists(path: url.standardizedFileURL.path)
        }
    }

    /// Opens an existing run. A writer (the default) takes the run's lock, deletes stale
    /// temporaries and re-appends a history row lost to a crash; `readOnly` changes nothing.
    public static func open(at url: URL, readOnly: Bool = false) throws -> RunStore {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
            throw StoreError.missingRun(path: url.path)
        }
        let manifest = try RunManifest.read(url.appendingPathComponent(RunManifest.fileName))
        let store = RunStore(url: url, manifest: manifest, readOnly: readOnly)
        store.runIdentity = try store.identity()
        if !readOnly {
            AtomicFile.removeStaleRunTemporaries(besides: store.url)
            try store.acquireLock()
            for dir in [store.url, store.checkpointsURL, store.historyURL] { AtomicFile.removeTemporaries(in: dir) }
        }
        try store.scan()
        if !readOnly { try store.restoreRecoveredHistory() }
        return store
    }

    private func acquireLock() throws {
        let path = url.appendingPathComponent(".lock").path
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFile.errnoError(URL(fileURLWithPath: path), "cannot open the lock file") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { Glibc.close(fd); throw StoreError.locked(path: url.path) }
        lockDescriptor = fd
    }

    /// Reads the directory listing, the headers of the stored checkpoints and the open segment.
    func scan() throws {
        let fm = FileManager.default
        let ckNames = (try? fm.contentsOfDirectory(atPath: checkpointsURL.path)) ?? []
        storedSteps = ckNames.compactMap(CheckpointFile.step(fromFileName:)).sorted()
        epochEnds = []
        damagedCheckpoints = [:]
        // A damaged checkpoint must not make the whole run unreadable: it is recorded, and
        // resume continues from the newest intact step (RunStore+Recovery).
        for s in storedSteps {
            do { if try checkpointHeader(s).epochEnd { epochEnds.insert(s) } } catch {
                damagedCheckpoints[s] = try Self.storeError(error, file: checkpointURL(s))
            }
        }
        let indices = segmentIndices()
        missingSegments = (0..<((indices.last ?? -1) + 1)).filter { !indices.contains($0) }
        openSegmentIndex = indices.last ?? -1
        openSegmentRows = openSegmentIndex >= 0 ? try HistorySegment.read(segmentURL(openSegmentIndex)) : []
        try recoverHistoryFromCheckpoints()
    }

    /// `error` as the store's error for `file`. A newer format is no damage (falling back past
    /// it would drop a newer build's steps), nor is a checkpoint of another run.json (falling
    /// back would continue under the edited one): both are rethrown.
    static func storeError(_ error: Error, file: URL) throws -> StoreError {
        if case .newerFormat? = error as? StoreError { throw error }
        if case .runMismatch? = error as? StoreError { throw error }
        return error as? StoreError ?? .unreadable(file: file.path, reason: "\(error)")
    }

    func segmentIndices() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: historyURL.path)) ?? []
        return names.compactMap(HistorySegment.index(fromFileName:)).sorted()
    }

    /// Where step `step`'s full state lives (for messages that name the file).
    public func checkpointPath(step: Int) -> String { checkpointURL(step).path }

    func checkpointURL(_ step: Int) -> URL { checkpointsURL.appendingPathComponent(CheckpointFile.fileName(step: step)) }
    func segmentURL(_ index: Int) -> URL { historyURL.appendingPathComponent(HistorySegment.fileName(index: index)) }
    func checkpointHeader(_ step: Int) throws -> CheckpointFile.Header { try CheckpointFile.readHeader(checkpointURL(step)) }

    // MARK: - Commit

    /// Atomically writes the full state of `checkpoint.step` plus its history row, then applies
    /// retention. Returns the whole-state SHA-256 digest (hex).
    @discardableResult
    public func commit(_ checkpoint: Checkpoint, history: HistoryRow, epochEnd: Bool) throws -> String {
        guard !isReadOnly else { throw StoreError.io(file: url.path, reason: "the run was opened read-only") }
        precondition(history.step == checkpoint.step, "RunStore.commit: history row is for step \(history.step), checkpoint for \(checkpoint.step)")
        if let latest = latestStep, checkpoint.step <= latest {
            throw StoreError.stepNotAfterLatest(run: url.path, step: checkpoint.step, latest: latest)
        }
        var row = history
        row.epochEnd = epochEnd
        if historyFirstStep == nil { historyFirstStep = checkpoint.step }
        // A state with the kept template's layout was validated when the template was built:
        // one pass fills the image and computes the digests (CheckpointTemplate+Commit).
        let image: [UInt8]
        if let t = template, let digest = t.fillComputingDigest(checkpoint, row: row, epochEnd: epochEnd) {
            row.stateDigest = digest
            row.rowDigest = StateDigest.row(row)
            t.setRowDigest(row.rowDigest)
            image = t.image()
        } else {
            template = nil  // a failed fill may have left its image half-written
            try validate(checkpoint, history)
            let tensorDigests = StateDigest.tensors(checkpoint.arrays)
            row.stateDigest = StateDigest.whole(checkpoint, tensorDigests: tensorDigests)
            row.rowDigest = StateDigest.row(row)
            image = try checkpointImage(checkpoint, row: row, tensorDigests: tensorDigests)
        }
        do {
            try writeCommitFiles(checkpoint: image, row: row)
        } catch {
            template = nil
            throw error
        }
        return row.stateDigest
    }

    /// Writes the checkpoint (the commit point), the history segment and retention in the
    /// order of `writeCheckpoint`, `appendHistory`, `applyRetention`, but with the waits
    /// overlapped: both files are written and fsynced at once under temporary names; then the
    /// checkpoint is renamed and its folder fsynced; then the segment is renamed (folder
    /// fsynced) while the checkpoints retention drops are deleted. Every state a crash can
    /// leave is one the sequential order can leave too (FORMAT.md §6).
    private func writeCommitFiles(checkpoint image: [UInt8], row: HistoryRow) throws {
        let step = row.step
        if nonAtomicWritesForCrashTest {
            try writeFile(checkpointURL(step), bytes: image)
            storedSteps.append(step)
            if row.epochEnd { epochEnds.insert(step) }
            try appendHistory(row)
            try applyRetention()
            return
        }
        let (segmentIndex, rows) = segmentAfterAppending(row)
        let ckURL = checkpointURL(step), segURL = segmentURL(segmentIndex)
        nonisolated(unsafe) var ckTemp: Result<URL, Error> = .failure(StoreError.io(file: ckURL.path, reason: "not written"))
        nonisolated(unsafe) var segTemp: Result<URL, Error> = .failure(StoreError.io(file: segURL.path, reason: "not written"))
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 {
                ckTemp = Result { try AtomicFile.writeTemporary(for: ckURL, bytes: image) }
            } else {
                segTemp = Result { try AtomicFile.writeTemporary(for: segURL, bytes: try HistorySegment.image(rows, name: segURL.path)) }
            }
        }
        let ck: URL
        do { ck = try ckTemp.get() } catch {
            if case .success(let t) = segTemp { unlink(t.path) }
            throw error
        }
        do { try AtomicFile.install(ck, as: ckURL) } catch {
            if case .success(let t) = segTemp { unlink(t.path) }
            throw error
        }
        storedSteps.append(step)
        if row.epochEnd { epochEnds.insert(step) }
        let seg = try segTemp.get()
        let keep = retention.kept(stored: storedSteps, epochEnds: epochEnds)
        let drop = storedSteps.filter { !keep.contains($0) }.map(checkpointURL)
        nonisolated(unsafe) var installed: Result<Void, Error> = .success(())
        nonisolated(unsafe) var deleted: Result<Void, Error> = .success(())
        DispatchQueue.concurrentPerform(iterations: drop.isEmpty ? 1 : 2) { i in
            if i == 0 {
                installed = Result { try AtomicFile.install(seg, as: segURL) }
            } else {
                deleted = Result {
                    for u in drop where unlink(u.path) != 0 && errno != ENOENT { throw AtomicFile.errnoError(u, "cannot delete") }
                }
            }
        }
        try installed.get()
        openSegmentIndex = segmentIndex
        openSegmentRows = rows
        try deleted.get()
        storedSteps.removeAll { !keep.contains($0) }
        epochEnds.formIntersection(keep)
    }

    func validate(_ c: Checkpoint, _ row: HistoryRow) throws {
        try StoreKeys.validate(c.arrays.keys, section: "array")
        try StoreKeys.validate(c.scalars.keys, section: "scalar")
        try StoreKeys.validate(c.integers.keys, section: "integer")
        try StoreKeys.validate(c.strings.keys, section: "string")
        try StoreKeys.validate(row.values.keys, section: "history value")
        try StoreKeys.validate(row.arrays.keys, section: "history array")
    }

    /// The commit point: after the rename the step is committed.
    func writeCheckpoint(_ c: Checkpoint, row: HistoryRow, tensorDigests: [String: String]) throws {
        if historyFirstStep == nil { historyFirstStep = c.step }
        try writeFile(checkpointURL(c.step), bytes: try checkpointImage(c, row: row, tensorDigests: tensorDigests))
        storedSteps.append(c.step)
        if row.epochEnd { epochEnds.insert(c.step) }
    }

    /// Replaces a checkpoint or segment atomically (the crash test's negative control aside).
    private func writeFile(_ url: URL, bytes: [UInt8]) throws {
        if nonAtomicWritesForCrashTest {
            try AtomicFile.overwriteInPlaceNonAtomically(url, bytes: bytes)
        } else {
            try AtomicFile.replace(url, bytes: bytes)
        }
    }

    /// The checkpoint file's bytes, building a new template for the state's layout (commits
    /// of the same layout refill it: `commit`).
    private func checkpointImage(_ c: Checkpoint, row: HistoryRow, tensorDigests: [String: String]) throws -> [UInt8] {
        template = nil  // release the old in-memory file first
        let t = try CheckpointTemplate(c, row: row, tensorDigests: tensorDigests, epochEnd: row.epochEnd,
                                       configurationJSON: configurationJSON, environment: checkpointEnvironment,
                                       runIdentity: runIdentity, historyFirstStep: historyFirstStep, name: checkpointsURL.appendingPathComponent("\(AtomicFile.temporaryPrefix)template").path)
        template = t
        return t.image()
    }

    /// Appends to the open segment (rewritten atomically), or starts a new one when it is full
    /// or the row's schema differs.
    func appendHistory(_ row: HistoryRow) throws {
        let (index, rows) = segmentAfterAppending(row)
        try writeFile(segmentURL(index), bytes: try HistorySegment.image(rows, name: segmentURL(index).path))
        openSegmentIndex = index
        openSegmentRows = rows
    }

    /// The segment `row` goes to and that segment's rows with it appended.
    private func segmentAfterAppending(_ row: HistoryRow) -> (index: Int, rows: [HistoryRow]) {
        if openSegmentIndex < 0 || openSegmentRows.count >= HistorySegment.capacity
            || HistorySegment.Schema(openSegmentRows[0]) != HistorySegment.Schema(row) {
            return (openSegmentIndex + 1, [row])
        }
        return (openSegmentIndex, openSegmentRows + [row])
    }

    /// Deletes the full states the policy no longer keeps. History is never touched.
    func applyRetention() throws {
        let keep = retention.kept(stored: storedSteps, epochEnds: epochEnds)
        let drop = storedSteps.filter { !keep.contains($0) }
        guard !drop.isEmpty else { return }
        for s in drop {
            guard unlink(checkpointURL(s).path) == 0 || errno == ENOENT else { throw AtomicFile.errnoError(checkpointURL(s), "cannot delete") }
        }
        storedSteps.removeAll { !keep.contains($0) }
        epochEnds.formIntersection(keep)
        // No directory fsync: a deletion lost to a crash only leaves an older complete
        // checkpoint, which the next commit's retention deletes again (FORMAT.md §6).
    }

    // MARK: - Read

    /// The full state of `step`, after verifying every tensor digest and the whole-state digest.
    /// It may have been written for another run.json: analysis (audit, diff, replay) reads it to
    /// explain differences; continuing a run uses `loadBound`.
    public func load(step: Int) throws -> Checkpoint {
        guard storedSteps.contains(step) else { throw StoreError.missingStep(run: url.path, step: step) }
        return try CheckpointFile.read(checkpointURL(step)).checkpoint
    }

    /// `load`, refusing a checkpoint not written for this run.json (RunStore+Binding): what
    /// resume and fork continue from.
    public func loadBound(step: Int) throws -> Checkpoint {
        guard storedSteps.contains(step) else { throw StoreError.missingStep(run: url.path, step: step) }
        let contents = try CheckpointFile.read(checkpointURL(step))
        if let problem = bindingProblem(contents, file: checkpointURL(step)) { throw problem }
        return contents.checkpoint
    }

    /// Every history row, ascending by step.
    public func history() throws -> [HistoryRow] {
        var rows: [HistoryRow] = []
        for idx in segmentIndices() {
            rows += idx == openSegmentIndex ? openSegmentRows : try HistorySegment.read(segmentURL(idx))
        }
        // Recovered rows follow the segments' unless a segment between others is missing.
        return missingSegments.isEmpty ? rows + recoveredRows : (rows + recoveredRows).sorted { $0.step < $1.step }
    }

    // MARK: - Status and artifacts

    /// Small mutable status (e.g. "running"/"finished", final genotype), written atomically.
    public func writeStatus(_ fields: [String: String]) throws {
        guard !isReadOnly else { throw StoreError.io(file: url.path, reason: "the run was opened read-only") }
        try AtomicFile.replace(url.appendingPathComponent("status.json"), text: try RunManifest.encodeSorted(fields) + "\n")
    }

    public func readStatus() throws -> [String: String] {
        let file = url.appendingPathComponent("status.json")
        guard let data = FileManager.default.contents(atPath: file.path) else { return [:] }
        return try RunManifest.decodeStringMap(String(decoding: data, as: UTF8.self), file: file.path)
    }

    /// Writes a small text artifact (e.g. genotype.txt) atomically into the run directory.
    public func writeArtifact(named name: String, contents: String) throws {
        guard !isReadOnly else { throw StoreError.io(file: url.path, reason: "the run was opened read-only") }
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), !Self.reservedNames.contains(name) else {
            throw StoreError.invalidName(name: name)
        }
        try AtomicFile.replace(url.appendingPathComponent(name), text: contents)
    }
}
