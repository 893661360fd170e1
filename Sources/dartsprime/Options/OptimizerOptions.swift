// The two optimisers' constants (SPEC §2): SGD with cosine learning rate and clipping for the
// weights, Adam for α, and DARTS's second-order architecture gradient.

import ArgumentParser
import Search

/// Weight SGD settings: learning rate and its cosine floor, momentum, weight decay, clipping
/// (shared by `search` and `evaluate`; defaults are the profile's).
struct WeightOptimizerOptions: ParsableArguments {
    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Weight learning rate (0.025).")
    var learningRate: Double?
    @Option(name: .customLong("lr-min"), parsing: .unconditional, help: "Final cosine learning rate (search 0.001, evaluation 0).")
    var learningRateMin: Double?
    @Option(parsing: .unconditional, help: "SGD momentum (0.9).")
    var momentum: Double?
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "SGD weight decay (3e-4).")
    var weightDecay: Double?
    @Option(name: .customLong("grad-clip"), parsing: .unconditional, help: "Total-norm gradient clip (5).")
    var gradClip: Double?

    func applySettings<C: WeightOptimizerSettings>(to c: inout C) {
        if let v = learningRate { c.learningRate = v }
        if let v = learningRateMin { c.learningRateMin = v }
        if let v = momentum { c.momentum = v }
        if let v = weightDecay { c.weightDecay = v }
        if let v = gradClip { c.gradientClip = v }
    }
}

/// Weight SGD and architecture Adam settings.
struct OptimizerOptions: ConfigurationOptions {
    @OptionGroup var weights: WeightOptimizerOptions
    @Option(name: .customLong("arch-lr"), parsing: .unconditional, help: "Adam learning rate for α (3e-4).")
    var archLearningRate: Double?
    @Option(name: .customLong("arch-beta1"), parsing: .unconditional, help: "Adam β1 for α (0.5).")
    var archBeta1: Double?
    @Option(name: .customLong("arch-beta2"), parsing: .unconditional, help: "Adam β2 for α (0.999).")
    var archBeta2: Double?
    @Option(name: .customLong("arch-eps"), parsing: .unconditional, help: "Adam ε for α (1e-8).")
    var archEpsilon: Double?
    @Option(name: .customLong("arch-weight-decay"), parsing: .unconditional, help: "Adam L2 weight decay for α (1e-3; 0 with CRB).")
    var archWeightDecay: Double?
    @Flag(name: .customLong("second-order"), inversion: .prefixedNo,
          help: "DARTS unrolled (second-order) architecture gradient (default: first order).")
    var secondOrder: Bool?

    func apply(to c: inout SearchConfiguration) {
        weights.applySettings(to: &c)
        if let v = archLearningRate { c.archLearningRate = v }
        if let v = archBeta1 { c.archBeta1 = v }
        if let v = archBeta2 { c.archBeta2 = v }
        if let v = archEpsilon { c.archEpsilon = v }
        if let v = archWeightDecay { c.archWeightDecay = v }
        if let v = secondOrder { c.secondOrder = v }
    }
}
