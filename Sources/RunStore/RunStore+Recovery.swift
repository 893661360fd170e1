// Recovery from a damaged or missing newest checkpoint: find the newest step that reads back
// whole, move the checkpoints after it aside (never delete them) and drop the history rows
// after it, so the run continues from there and recommits the lost steps bit-exactly.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A checkpoint file that did not read back whole.
public struct DamagedCheckpoint: Sendable, Equatable {
    public var step: Int
    public var problem: StoreError
}

extension RunStore {
    /// Suffix of a checkpoint moved aside by `rewind` (`step-N.h5.damaged`): no longer a
    /// checkpoint to any reader, kept for inspection.
    public static let damagedSuffix = ".damaged"

    /// The newest stored step whose checkpoint reads back whole (every digest verified), and the
    /// newer stored checkpoints that did not, newest first. Reads only; a checkpoint of a newer
    /// format, or one not written for this run.json, is an error, not damage.
    public func newestIntactCheckpoint() throws -> (checkpoint: Checkpoint?, damaged: [DamagedCheckpoint]) {
        var damaged: [DamagedCheckpoint] = []
        for step in storedSteps.reversed() {
            do { return (try loadBound(step: step), damaged) } catch {
                damaged.append(DamagedCheckpoint(step: step, problem: try Self.storeError(error, file: checkpointURL(step))))
            }
        }
        return (nil, damaged)
    }

    /// Makes `step` the newest step (`nil`: no step at all, the run starts again at step 0).
    /// Checkpoints of later steps are renamed to `step-N.h5.damaged` (returned); the history
    /// rows after `step` are dropped: later segments are deleted newest first, then the segment
    /// holding `step` is rewritten atomically. Every state a crash can leave is a contiguous run
    /// of complete segments, and repeating the rewind finishes it.
    @discardableResult
    public func rewind(to step: Int?) throws -> [URL] {
        guard !isReadOnly else { throw StoreError.io(file: url.path, reason: "the run was opened read-only") }
        let last = step ?? Int.min
        var moved: [URL] = []
        for s in storedSteps where s > last {
            let from = checkpointURL(s)
            var aside = URL(fileURLWithPath: from.path + Self.damagedSuffix)
            var n = 1
            while FileManager.default.fileExists(atPath: aside.path) {
                n += 1
                aside = URL(fileURLWithPath: from.path + Self.damagedSuffix + "-\(n)")
            }
            guard rename(from.path, aside.path) == 0 else { throw AtomicFile.errnoError(from, "cannot move the checkpoint aside") }
            moved.append(aside)
        }
        if !moved.isEmpty { try AtomicFile.fsyncPath(checkpointsURL, directory: true) }
        for index in segmentIndices().reversed() {
            let file = segmentURL(index)
            let rows = try HistorySegment.read(file)
            if let first = rows.first, first.step > last {
                guard unlink(file.path) == 0 else { throw AtomicFile.errnoError(file, "cannot delete the replaced history segment") }
                try AtomicFile.fsyncPath(historyURL, directory: true)
                continue
            }
            let kept = rows.filter { $0.step <= last }
            if kept.count < rows.count { try AtomicFile.replace(file, bytes: try HistorySegment.image(kept, name: file.path)) }
            break
        }
        try scan()
        try restoreRecoveredHistory()
        return moved
    }

    /// The steps whose checkpoints retention keeps, given the history: the policy applied to
    /// every step from the run's first checkpoint on (a fork starts with the step it forked).
    func retainedSteps(history rows: [HistoryRow]) -> Set<Int> {
        let first = ([storedSteps.first] + damagedCheckpoints.keys.map { $0 }).compactMap { $0 }.min() ?? Int.min
        let steps = rows.map(\.step).filter { $0 >= first }
        return retention.kept(stored: steps, epochEnds: Set(rows.filter(\.epochEnd).map(\.step)))
    }
}
