// Whole-run verification: re-hash every stored tensor, check each checkpoint against its
// history row and its run.json, check each history row against its row digest, check the
// history itself is ordered and complete, and that every step retention keeps still has its
// checkpoint.

/// What `RunStore.verify()` found. `problems` is empty for a healthy run; each is one line
/// naming its file (`dartsprime verify` prints them all).
public struct VerifyReport: Sendable, Equatable {
    public var checkpointsChecked: Int = 0
    public var tensorsChecked: Int = 0
    public var historyRows: Int = 0
    public var problems: [StoreError] = []
    /// Facts that are no problem but limit what was checked (rows or checkpoints written
    /// before row digests or run identities existed), one line each.
    public var notes: [String] = []
    public var isClean: Bool { problems.isEmpty }
    /// The first problem in file order: what `dartsprime verify` prints.
    public var firstProblem: StoreError? { problems.first }
}

extension RunStore {
    /// Re-reads every checkpoint (verifying every digest) and every history segment. Problems
    /// are collected, one per file, rather than thrown, so one report covers the whole run.
    public func verify() throws -> VerifyReport {
        var report = VerifyReport()
        var rowsByStep: [Int: HistoryRow] = [:]
        var previous: Int?
        var undigested: [Int] = []
        for idx in segmentIndices() {
            do {
                for row in try HistorySegment.read(segmentURL(idx)) {
                    if let p = previous, row.step <= p {
                        throw StoreError.historyMismatch(file: segmentURL(idx).path, reason: "step \(row.step) follows step \(p)")
                    }
                    if row.rowDigest.isEmpty { undigested.append(row.step) } else if row.rowDigest != StateDigest.row(row) {
                        report.problems.append(.digestMismatch(file: segmentURL(idx).path, key: "history row of step \(row.step)"))
                    }
                    previous = row.step
                    rowsByStep[row.step] = row
                    report.historyRows += 1
                }
            } catch let e as StoreError { report.problems.append(e) }
        }
        for r in recoveredRows { rowsByStep[r.step] = r; report.historyRows += 1 }
        for i in missingSegments {
            report.problems.append(.historyMismatch(file: segmentURL(i).path, reason: "this segment, between others, is missing"))
        }
        if !lostHistorySteps.isEmpty, let loss = historyLoss() { report.problems.append(loss) }
        if !undigested.isEmpty {
            report.notes.append("\(undigested.count) history rows (steps \(Self.ranges(undigested))) predate row digests; their values are not checked")
        }
        var unbound: [Int] = []
        // Every step retention keeps must have its checkpoint (the newest above all: resume needs it).
        let rows = rowsByStep.values.sorted { $0.step < $1.step }
        for step in retainedSteps(history: rows).sorted() where !storedSteps.contains(step) {
            report.problems.append(.historyMismatch(file: checkpointURL(step).path,
                                                    reason: "the checkpoint of step \(step), which retention keeps, is missing"))
        }
        for step in storedSteps {
            let file = checkpointURL(step)
            do {
                let contents = try CheckpointFile.read(file)
                report.checkpointsChecked += 1
                report.tensorsChecked += contents.tensorCount
                guard contents.header.step == step else {
                    throw StoreError.historyMismatch(file: file.path, reason: "the file says step \(contents.header.step)")
                }
                if let problem = bindingProblem(contents, file: file) { throw problem }
                if contents.runIdentity == nil { unbound.append(step) }
                guard let row = rowsByStep[step] else {
                    throw StoreError.historyMismatch(file: file.path, reason: "no history row for step \(step)")
                }
                guard row.stateDigest == contents.header.stateDigest else {
                    throw StoreError.historyMismatch(file: file.path, reason: "history records another state digest for step \(step)")
                }
                guard row.rowDigest.isEmpty || contents.row.rowDigest.isEmpty || row.rowDigest == contents.row.rowDigest else {
                    throw StoreError.historyMismatch(file: file.path, reason: "the history row of step \(step) differs from the row this checkpoint carries")
                }
            } catch let e as StoreError { report.problems.append(e) }
        }
        if !unbound.isEmpty {
            report.notes.append("\(unbound.count) checkpoints (steps \(Self.ranges(unbound))) predate run identities; only their configuration is checked against run.json")
        }
        return report
    }
}
