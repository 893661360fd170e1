// The regularisers' constants (SPEC §5): proximity / ADMM ρ, ADMM's update period and discount.

import ArgumentParser
import Search

/// ρ and the ADMM constants (used only by methods with `pr`, `prime` or `+admm`).
struct RegularizerOptions: ConfigurationOptions {
    @Option(parsing: .unconditional, help: "Proximity / ADMM ρ (0.1).")
    var rho: Double?
    @Option(name: .customLong("admm-freq"), parsing: .unconditional, help: "α steps between ADMM updates (10).")
    var admmFrequency: Int?
    @Option(name: .customLong("admm-discount"), parsing: .unconditional, help: "ADMM dual discount γ (1.0).")
    var admmDiscount: Double?

    func apply(to c: inout SearchConfiguration) {
        if let v = rho { c.rho = v }
        if let v = admmFrequency { c.admmFrequency = v }
        if let v = admmDiscount { c.admmDiscount = v }
    }
}
