// Shape bookkeeping of a 2-D convolution (PyTorch semantics, NCHW, weight (Cout, Cin/g, kh, kw)).

/// Sizes of one conv2d call; output sizes follow PyTorch (floor division).
public struct ConvGeometry: Equatable, Hashable, Sendable {
    public var n: Int, cin: Int, h: Int, w: Int
    public var cout: Int, kh: Int, kw: Int
    public var stride: Int, padding: Int, dilation: Int, groups: Int

    public init(n: Int, cin: Int, h: Int, w: Int, cout: Int, kh: Int, kw: Int,
                stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        precondition(groups > 0 && cin % groups == 0 && cout % groups == 0,
                     "conv2d: groups \(groups) must divide Cin \(cin) and Cout \(cout)")
        precondition(stride > 0 && dilation > 0 && padding >= 0, "conv2d: bad stride/dilation/padding")
        self.n = n; self.cin = cin; self.h = h; self.w = w
        self.cout = cout; self.kh = kh; self.kw = kw
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
        precondition(oh > 0 && ow > 0, "conv2d: input \(h)x\(w) too small for kernel \(kh)x\(kw)")
    }

    public var oh: Int { (h + 2 * padding - dilation * (kh - 1) - 1) / stride + 1 }
    public var ow: Int { (w + 2 * padding - dilation * (kw - 1) - 1) / stride + 1 }
    public var cinPerGroup: Int { cin / groups }
    public var coutPerGroup: Int { cout / groups }
    /// Rows of the im2col matrix of one group: (Cin/g)·kh·kw.
    public var colRows: Int { cinPerGroup * kh * kw }
    public var inputCount: Int { n * cin * h * w }
    public var outputCount: Int { n * cout * oh * ow }
    public var weightCount: Int { cout * cinPerGroup * kh * kw }
    /// One filter per channel: handled by direct loops, not im2col.
    public var isDepthwise: Bool { groups == cin && cout == cin }
    /// 1×1 without padding, stride 1: the input plane already is the im2col matrix.
    public var isPlainPointwise: Bool {
        kh == 1 && kw == 1 && padding == 0 && stride == 1
    }
    /// Multiply-adds of the forward pass (×2 for FLOPs).
    public var macs: Int { n * cout * oh * ow * cinPerGroup * kh * kw }
}
