// The search's progress on stderr: epoch, step, loss, accuracy, α steps and ETA.

import Foundation
import Search

/// One progress line on stderr per step (at most one every half second, and every epoch end).
final class ProgressPrinter: @unchecked Sendable {
    private var last = Date.distantPast

    func report(_ p: SearchProgress) {
        let now = Date()
        let epochEnd = p.record.genotype != nil
        guard epochEnd || now.timeIntervalSince(last) >= 0.5 || p.step == p.totalSteps else { return }
        last = now
        let eta = Double(p.totalSteps - p.step) * p.secondsPerStep
        var line = String(format: "epoch %d/%d step %d/%d loss %.4f acc %.3f α-steps %d %.2fs/step ETA %@",
                          min(p.epoch + (epochEnd ? 0 : 1), p.epochs), p.epochs, p.step, p.totalSteps,
                          p.record.trainLoss, p.record.trainAccuracy, p.alphaSteps, p.secondsPerStep,
                          formatDuration(eta))
        if epochEnd {
            line += String(format: " | valid loss %.4f acc %.3f", p.record.validationLoss, p.record.validationAccuracy)
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
        if let g = p.record.genotype { FileHandle.standardError.write(Data("  genotype: \(g)\n".utf8)) }
    }
}

func formatDuration(_ s: Double) -> String {
    guard s.isFinite else { return "?" }
    let t = Int(s.rounded())
    return t >= 3600 ? String(format: "%dh%02dm", t / 3600, (t % 3600) / 60)
        : String(format: "%dm%02ds", t / 60, t % 60)
}
