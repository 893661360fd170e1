// Cosine learning-rate schedule of the DARTS search (SPEC §2).

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Learning rate for 0-based `epoch` of `epochs`:
/// `minimum + ½(base − minimum)(1 + cos(π(epoch+1)/epochs))`.
///
/// Note the `+1`: the DARTS reference calls `scheduler.step()` *before* each epoch, so epoch 0
/// already uses the schedule's second value and the base rate itself is never used; the last
/// epoch (`epochs − 1`) runs at exactly `minimum`. This off-by-one is deliberate (SPEC §2).
public func cosineLearningRate(epoch: Int, epochs: Int, base: Double, minimum: Double) -> Double {
    precondition(epochs > 0, "cosineLearningRate: epochs must be positive, got \(epochs)")
    let angle = Double.pi * Double(epoch + 1) / Double(epochs)
    return minimum + 0.5 * (base - minimum) * (1 + cos(angle))
}
