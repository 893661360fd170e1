// When the recurrent evaluation switches from SGD to averaged SGD (DARTS's rnn train.py):
// at an epoch end still under SGD, if more than `nonmono` validation losses are recorded and
// this one is worse than the best of all but the newest `nonmono`, switch. The losses are
// recorded only under SGD, as DARTS's `best_val_loss`.

/// The switch's whole state (stored in every checkpoint).
public struct AveragedSGDSwitch: Codable, Sendable, Equatable {
    /// DARTS's `--nonmono` (5).
    public var window: Int
    /// Also switch at the end of this epoch (1-based) at the latest; nil: only by the rule.
    public var forcedEpoch: Int?
    /// Validation losses at the epoch ends before the switch (DARTS's `best_val_loss`).
    public var history: [Double] = []
    /// Whether training is averaging, and after which epoch (1-based) it switched.
    public var averaging: Bool = false
    public var switchedAfterEpoch: Int? = nil

    public init(window: Int, forcedEpoch: Int? = nil) {
        precondition(window >= 1, "the non-monotone window is at least 1 epoch, got \(window)")
        self.window = window; self.forcedEpoch = forcedEpoch
    }

    /// DARTS: `len(best_val_loss) > nonmono and val_loss > min(best_val_loss[:-nonmono])`.
    public func ruleSays(_ loss: Double) -> Bool {
        guard history.count > window, let best = history.dropLast(window).min() else { return false }
        return loss > best
    }

    /// Records the validation loss of epoch `epoch` (1-based) under SGD and returns whether
    /// training switches to averaging now; under averaging it records nothing.
    public mutating func endEpoch(_ epoch: Int, validationLoss loss: Double) -> Bool {
        guard !averaging else { return false }
        let switching = ruleSays(loss) || forcedEpoch.map { epoch >= $0 } == true
        history.append(loss)
        if switching { averaging = true; switchedAfterEpoch = epoch }
        return switching
    }
}
