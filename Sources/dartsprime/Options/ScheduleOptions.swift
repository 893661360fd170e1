// How long a search runs and when it takes α steps (SPEC §2–3): epochs, the evaluation batch,
// the step ratio r, FIMT's τ0/γ/β and the train/α split.

import ArgumentParser
import Search

/// Epochs, evaluation batch size, α-step schedule constants and the split fraction.
struct ScheduleOptions: ConfigurationOptions {
    @Option(parsing: .unconditional, help: "Search epochs (50).")
    var epochs: Int?
    @Option(name: .customLong("eval-batch-size"), parsing: .unconditional, help: "Batch size of the epoch-end evaluation on the α split (256).")
    var evaluationBatchSize: Int?
    @Option(name: .customLong("step-ratio"), parsing: .unconditional, help: "Expected weight steps per α step r (10).")
    var stepRatio: Int?
    @Option(name: .customLong("tau0"), parsing: .unconditional, help: "FIMT initial threshold τ0 (1.0).")
    var tau0: Double?
    @Option(name: .customLong("gamma-inc"), parsing: .unconditional, help: "FIMT threshold increase factor γ_inc (1.05).")
    var gammaInc: Double?
    @Option(name: .customLong("fimt-beta"), parsing: .unconditional, help: "FIMT moving-average weight β (0.2).")
    var fimtBeta: Double?
    @Option(name: .customLong("train-fraction"), parsing: .unconditional, help: "Override the method's train/α split fraction p.")
    var trainFraction: Double?

    func apply(to c: inout SearchConfiguration) {
        if let v = epochs { c.epochs = v }
        if let v = evaluationBatchSize { c.evaluationBatchSize = v }
        if let v = stepRatio { c.stepRatio = v }
        if let v = tau0 { c.fimtTau0 = v }
        if let v = gammaInc { c.fimtGammaIncrease = v }
        if let v = fimtBeta { c.fimtBeta = v }
        if let v = trainFraction { c.trainFraction = v }
    }
}
