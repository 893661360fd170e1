// The auxiliary classifier of the evaluation network (SPEC §6, DARTS's `AuxiliaryHeadCIFAR`):
// a second loss on the features of cell ⌊2L/3⌋ that helps gradients reach the lower cells.

import DartsCore
import DartsNN

/// ReLU → avg pool 5×5 stride 3 pad 0 (padded cells not counted; with pad 0 there are none)
/// → conv 1×1 → 128 → BN → ReLU → conv 2×2 → 768 → BN → ReLU → Linear(768 → classes), under
/// torch_evalnet.py's names: `auxiliary_head.features.{2,5}.weight`, `….{3,6}.*` (the
/// `nn.Sequential` indices; 0, 1, 4 and 7 have no parameters) and `auxiliary_head.classifier.*`.
///
/// The pooling leaves 2×2 of an 8×8 input (32×32 images after two reductions), so the 2×2
/// conv sees the whole map and the classifier 768 features.
struct AuxiliaryHead {
    let conv1: Conv2D, bn1: BatchNorm
    let conv2: Conv2D, bn2: BatchNorm
    let classifier: Linear

    /// Draws conv 1, conv 2, then the classifier's weight and bias from `rng` (PyTorch's order).
    init(channels c: Int, classes: Int, registry: ParameterRegistry, rng: inout PhiloxRandom) {
        let p = "auxiliary_head"
        conv1 = Conv2D(p + ".features.2", cin: c, cout: 128, kernel: 1, registry: registry, rng: &rng)
        bn1 = BatchNorm(p + ".features.3", channels: 128, affine: true, registry: registry)
        conv2 = Conv2D(p + ".features.5", cin: 128, cout: 768, kernel: 2, registry: registry, rng: &rng)
        bn2 = BatchNorm(p + ".features.6", channels: 768, affine: true, registry: registry)
        classifier = Linear(p + ".classifier", inFeatures: 768, outFeatures: classes, registry: registry, rng: &rng)
    }

    /// x (N, C, 8, 8) → logits (N, classes).
    func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        let pooled = tape.avgPool2d(tape.relu(x), kernel: 5, stride: 3, padding: 0)
        let h = tape.relu(bn1(conv1(pooled, tape, mode), tape, mode))
        let features = tape.relu(bn2(conv2(h, tape, mode), tape, mode))
        let sh = tape.shape(features)  // (N, 768, h, w)
        precondition(sh[2] == 1 && sh[3] == 1,
                     "auxiliary head: its input must pool to 2×2 (an 8×8 map), but the features are \(sh[2])×\(sh[3])")
        return classifier(tape.reshape(features, [sh[0], sh[1]]), tape, mode)
    }
}
