// status.json: what happened to a run, as one small atomically replaced JSON object of strings:
// its state (RunState), the newest committed step and the UTC time it was written, plus fields
// of the run kind (e.g. a finished search's genotype) or the error of a failed run, and the
// wall time the run's processes spent on it so far, summed over resumes (`wall_seconds`).
import Foundation

/// How a run stands or how it ended (status.json's `state`).
public enum RunState: String, Sendable, CaseIterable {
    /// A process is running it (a `running` status whose lock is free means the process died).
    case running
    /// Stopped after `--max-steps`.
    case stopped
    /// Stopped by SIGINT/SIGTERM/SIGHUP after committing its step (exit 75): requeue and resume.
    case preempted
    /// Every step done.
    case finished
    /// Ended by a runtime error (`error` says which).
    case failed
    /// Stopped because the loss or a gradient became non-finite.
    case diverged
}

extension RunStore {
    /// Writes status.json: `state`, `step` (the newest committed step), `time` (UTC, ISO 8601),
    /// `wall_seconds` and `fields`.
    public func writeStatus(_ state: RunState, step: Int, fields: [String: String] = [:], at time: Date = Date()) throws {
        var all = fields
        all["state"] = state.rawValue
        all["step"] = String(step)
        all["time"] = Self.utcTimestamp(time)
        all["wall_seconds"] = String(format: "%.3f", wallSeconds(at: time))
        try writeStatus(all)
    }

    /// Wall seconds spent on the run up to `time`: the earlier sessions' (from status.json as
    /// this session found it) plus this one's since the run was opened. A session killed
    /// without a last status write (SIGKILL) counts until its previous write only.
    public func wallSeconds(at time: Date = Date()) -> Double {
        if earlierSessionsWallSeconds == nil {
            earlierSessionsWallSeconds = (try? readStatus())?["wall_seconds"].flatMap(Double.init).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } ?? 0
        }
        return earlierSessionsWallSeconds! + max(0, time.timeIntervalSince(sessionStarted))
    }

    /// `2025-01-31T12:34:56Z`.
    public static func utcTimestamp(_ time: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: time)
    }
}
