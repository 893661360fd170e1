// Progress of a long run on stderr: epoch, step, loss, accuracy, the run kind's extras, time
// per step and ETA; at most one line every half second, plus every epoch end and the last step.

import Foundation

public final class ProgressPrinter: @unchecked Sendable {
    private var last = Date.distantPast
    private let write: (String) -> Void

    /// `write` receives each line with its newline (default: stderr).
    public init(write: @escaping (String) -> Void = { StandardStreams.writeError($0) }) {
        self.write = write
    }

    public func report(_ p: Progress) {
        let now = Date()
        guard p.epochEnd || now.timeIntervalSince(last) >= 0.5 || p.step == p.totalSteps else { return }
        last = now
        let o = p.output
        var line = String(format: "epoch %d/%d step %d/%d loss %.4f", p.epoch, p.epochs, p.step, p.totalSteps, o.loss)
        if !o.accuracy.isNaN { line += String(format: " acc %.3f", o.accuracy) }  // text runs have none
        for (name, value) in o.progressExtras { line += " \(name) \(value)" }
        line += String(format: " %.2fs/step ETA %@", p.secondsPerStep, Self.duration(p.eta))
        if p.epochEnd, let s = o.epochSummary { line += " | " + s }
        write(line + "\n")
        if p.epochEnd, let note = o.epochNote { write("  \(note)\n") }
    }

    /// `1h05m` or `3m07s`; `?` when unknown.
    public static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, (t % 3600) / 60)
            : String(format: "%dm%02ds", t / 60, t % 60)
    }
}
