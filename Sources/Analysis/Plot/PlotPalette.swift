// Colours shared by every figure and cell graph: one per operation name (the CNN and recurrent
// spaces' ops), so an op has the same colour in the α trajectories of any run and in the DOT
// cells; and one per run in overlays.

public enum PlotPalette {
    /// Fixed per op name (tab10-like), never by position, so CRB's α without `none` keeps the colours.
    static let opColours: [String: String] = [
        "none": "#7f7f7f", "max_pool_3x3": "#1f77b4", "avg_pool_3x3": "#17becf", "skip_connect": "#2ca02c",
        "sep_conv_3x3": "#d62728", "sep_conv_5x5": "#ff7f0e", "dil_conv_3x3": "#9467bd", "dil_conv_5x5": "#8c564b",
        "tanh": "#d62728", "relu": "#1f77b4", "sigmoid": "#2ca02c", "identity": "#9467bd",
    ]
    static let fallback = ["#e377c2", "#bcbd22", "#393b79", "#637939"]

    public static func colour(op: String) -> String {
        if let c = opColours[op] { return c }
        return fallback[Int(op.utf8.reduce(UInt32(0)) { ($0 &* 31 &+ UInt32($1)) } % UInt32(fallback.count))]
    }

    static let runColours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// The colour of the n-th run of an overlay (cycling).
    public static func colour(run n: Int) -> String { runColours[n % runColours.count] }
}
