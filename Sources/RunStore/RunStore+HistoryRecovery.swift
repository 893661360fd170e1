// History rows the segments lack, rebuilt from the kept checkpoints (each carries its own row):
// the newest step's after a crash between the checkpoint's rename and the history write, or
// several after `history/` or its newest segments were deleted. Rows no kept checkpoint holds
// are lost: a writer refuses to continue over them (the run would fail verify from then on) and
// says which step a fork can start from. FORMAT.md §6.
import Foundation

extension RunStore {
    /// Fills `recoveredRows`, `lostHistorySteps` and `historyFirstStep` (and records checkpoints
    /// whose row does not read back as damaged). The history should hold every step from its
    /// first one (segment 0's first row; without segment 0, the first step the newest readable
    /// checkpoint records, else 0) to the newest stored step whose row reads back; newer
    /// checkpoints that do not read back are left to resume's fallback (RunStore+Recovery).
    func recoverHistoryFromCheckpoints() throws {
        recoveredRows = []
        lostHistorySteps = []
        var known = Set<Int>()
        var first: Int?
        var candidatesFrom = Int.min
        if missingSegments.isEmpty, let last = openSegmentRows.last?.step {
            // The usual case: only rows after the open segment's last one can be missing.
            known.insert(last)
            candidatesFrom = last + 1
            first = openSegmentIndex == 0 ? openSegmentRows.first?.step : try HistorySegment.firstStep(segmentURL(0))
        } else if !missingSegments.isEmpty {
            let rows = try segmentIndices().flatMap { try HistorySegment.read(segmentURL($0)) }
            known = Set(rows.map(\.step))
            if !missingSegments.contains(0) { first = rows.first?.step }
        }
        var recovered: [Int: HistoryRow] = [:]
        var recordedFirst: Int??
        for step in storedSteps.reversed() where step >= candidatesFrom && !known.contains(step) && damagedCheckpoints[step] == nil {
            do {
                let contents = try CheckpointFile.read(checkpointURL(step))
                recovered[step] = contents.row
                if recordedFirst == nil { recordedFirst = .some(contents.historyFirstStep) }
            } catch {
                damagedCheckpoints[step] = try Self.storeError(error, file: checkpointURL(step))
            }
        }
        let start = first ?? (recordedFirst ?? nil) ?? 0
        historyFirstStep = first ?? (recordedFirst ?? nil) ?? (recovered.isEmpty ? nil : start)
        // The usual case checks only the steps after the last row (`known` holds no others).
        let from = candidatesFrom == Int.min ? start : candidatesFrom
        guard let top = (Array(recovered.keys) + Array(known)).max(), top >= from else { return }
        for step in from...top where !known.contains(step) {
            if let row = recovered[step] { recoveredRows.append(row) } else { lostHistorySteps.append(step) }
        }
    }

    /// A writer's open: appends the recovered rows to the history, or refuses when rows are lost
    /// (or a segment between others is missing, which is never rebuilt in place).
    func restoreRecoveredHistory() throws {
        if let problem = historyLoss() { throw problem }
        if !FileManager.default.fileExists(atPath: historyURL.path) {
            // `history/` itself was deleted: the rebuilt rows and the next commits need it back.
            do { try FileManager.default.createDirectory(at: historyURL, withIntermediateDirectories: false) } catch {
                throw StoreError.io(file: historyURL.path, reason: "cannot recreate the history folder: \(error.localizedDescription)")
            }
            try AtomicFile.fsyncPath(url, directory: true)
        }
        for row in recoveredRows { try appendHistory(row) }
        rebuiltHistorySteps = recoveredRows.map(\.step)
        recoveredRows = []
    }

    /// The refusal for lost rows or a missing segment, naming the kept checkpoints and the step a
    /// fork can continue from; nil when the history is whole or rebuildable.
    public func historyLoss() -> StoreError? {
        guard !lostHistorySteps.isEmpty || !missingSegments.isEmpty else { return nil }
        let intact = storedSteps.filter { damagedCheckpoints[$0] == nil }
        var what: [String] = []
        if !lostHistorySteps.isEmpty {
            what.append("history rows \(Self.ranges(lostHistorySteps)) are lost and cannot be rebuilt from the kept checkpoints (kept: \(intact.isEmpty ? "none" : intact.map(String.init).joined(separator: ", ")))")
        }
        if !missingSegments.isEmpty {
            what.append("history segment \(missingSegments.map { HistorySegment.fileName(index: $0) }.joined(separator: ", ")) is missing between others, which is not rebuilt in place")
        }
        var reason = what.joined(separator: "; ")
        if let fork = intact.last {
            reason += "; the run can be forked from step \(fork) with `dartsprime resume \(url.path) --from-step \(fork) --into NEW` (the fork's history starts after the last lost row)"
        }
        return .historyLost(file: historyURL.path, reason: reason)
    }

    /// Ascending steps as ranges: "1..9, 11, 14..20".
    static func ranges(_ steps: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < steps.count {
            var j = i
            while j + 1 < steps.count && steps[j + 1] == steps[j] + 1 { j += 1 }
            parts.append(i == j ? "\(steps[i])" : "\(steps[i])..\(steps[j])")
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }

    /// The rows before `step` back to the nearest missing one: what a fork from `step` carries
    /// (all of them in a whole history).
    func contiguousRows(before step: Int) throws -> [HistoryRow] {
        var rows: [HistoryRow] = []
        var expected = step - 1
        for row in try history().reversed() where row.step < step {
            guard row.step == expected else { break }
            rows.append(row)
            expected -= 1
        }
        return rows.reversed()
    }
}
