// The eight operations of the CNN search space (SPEC §1 table), built for either network under
// their PyTorch `state_dict` prefix: the search supernet's and the evaluation network's differ
// only in batch norm.

import DartsCore

/// Which network an operation is built for (torch_supernet.py's `make_op` or torch_evalnet.py's).
public enum OperationStyle: String, CaseIterable, Codable, Sendable {
    /// The search supernet: every BN affine=false, and each pool is followed by
    /// BN(affine=false) at `<prefix>.1` (DARTS wraps it as `nn.Sequential(pool, bn)`).
    case search
    /// The evaluation network: every BN affine=true, and pools stand alone (no parameters).
    case evaluation

    /// Whether this style's batch norms have γ and β.
    public var affine: Bool { self == .evaluation }
}

/// One candidate operation of a cell edge with its parameters.
public enum CellOperation {
    /// `none`: zeros, subsampled `[:, :, ::s, ::s]` for stride s; no parameters.
    case zero(stride: Int)
    /// 3×3 max pool, pad 1 (padding never wins); `norm` only in search style.
    case maxPool(stride: Int, norm: BatchNorm?)
    /// 3×3 average pool, pad 1, padded cells not counted; `norm` only in search style.
    case avgPool(stride: Int, norm: BatchNorm?)
    /// `skip_connect` at stride 1.
    case identity
    /// `skip_connect` at stride 2.
    case factorizedReduce(FactorizedReduce)
    case sepConv(SepConv)
    case dilConv(DilConv)

    /// The SPEC §1 names, in α column order.
    public static let names = ["none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
                               "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"]

    /// Builds op `name` (one of `names`) on C channels with stride s under `prefix` (e.g.
    /// `cells.0._ops.3._ops.4` in the supernet, `cells.0._ops.3` in the evaluation network),
    /// drawing its conv weights from `rng` in PyTorch's module order.
    public init(name: String, prefix: String, channels c: Int, stride s: Int, style: OperationStyle,
                registry: ParameterRegistry, rng: inout PhiloxRandom) {
        precondition(s == 1 || s == 2, "\(name): stride must be 1 or 2, got \(s)")
        let affine = style.affine
        func poolNorm() -> BatchNorm? {
            style == .search ? BatchNorm(prefix + ".1", channels: c, affine: false, registry: registry) : nil
        }
        switch name {
        case "none": self = .zero(stride: s)
        case "max_pool_3x3": self = .maxPool(stride: s, norm: poolNorm())
        case "avg_pool_3x3": self = .avgPool(stride: s, norm: poolNorm())
        case "skip_connect":
            self = s == 1 ? .identity
                : .factorizedReduce(FactorizedReduce(prefix, cin: c, cout: c, affine: affine, registry: registry, rng: &rng))
        case "sep_conv_3x3":
            self = .sepConv(SepConv(prefix, channels: c, kernel: 3, stride: s, padding: 1, affine: affine,
                                    registry: registry, rng: &rng))
        case "sep_conv_5x5":
            self = .sepConv(SepConv(prefix, channels: c, kernel: 5, stride: s, padding: 2, affine: affine,
                                    registry: registry, rng: &rng))
        case "dil_conv_3x3":
            self = .dilConv(DilConv(prefix, channels: c, kernel: 3, stride: s, padding: 2, dilation: 2, affine: affine,
                                    registry: registry, rng: &rng))
        case "dil_conv_5x5":
            self = .dilConv(DilConv(prefix, channels: c, kernel: 5, stride: s, padding: 4, dilation: 2, affine: affine,
                                    registry: registry, rng: &rng))
        default:
            preconditionFailure("unknown operation \(name); the operations are \(Self.names)")
        }
    }

    /// `none`: a mixed edge leaves it out of its sum instead of adding zeros.
    public var isZero: Bool { if case .zero = self { return true } else { return false } }

    /// Stride-1 `skip_connect`: the evaluation network's drop path skips it (SPEC §6).
    public var isIdentity: Bool { if case .identity = self { return true } else { return false } }

    public func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        switch self {
        case let .zero(s):
            let sh = tape.shape(x)
            precondition(sh.count == 4, "none: needs (N, C, H, W), got \(sh)")
            return tape.constant(Tensor(shape: [sh[0], sh[1], (sh[2] + s - 1) / s, (sh[3] + s - 1) / s]))
        case let .maxPool(s, norm):
            let y = tape.maxPool2d(x, kernel: 3, stride: s, padding: 1)
            return norm.map { $0(y, tape, mode) } ?? y
        case let .avgPool(s, norm):
            let y = tape.avgPool2d(x, kernel: 3, stride: s, padding: 1)
            return norm.map { $0(y, tape, mode) } ?? y
        case .identity:
            return x
        case let .factorizedReduce(op):
            return op(x, tape, mode)
        case let .sepConv(op):
            return op(x, tape, mode)
        case let .dilConv(op):
            return op(x, tape, mode)
        }
    }
}
