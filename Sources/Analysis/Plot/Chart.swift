// A figure as a plain value: panels of line series on linear axes, a legend and a title.
// Building it reads the run; rendering it (SVGRenderer) only formats numbers, so the same
// figure always becomes the same bytes.

/// How a series' line is drawn; runs in an overlay and edges in an α panel differ by dash.
public enum LineDash: Int, CaseIterable, Sendable {
    case solid, dashed, dotted, dashDot, longDash, dense

    /// The SVG `stroke-dasharray`, nil for a solid line.
    var pattern: String? {
        switch self {
        case .solid: nil
        case .dashed: "6 3"
        case .dotted: "1.5 2.5"
        case .dashDot: "6 2 1.5 2"
        case .longDash: "11 4"
        case .dense: "3 1.5"
        }
    }

    /// The n-th style, cycling.
    public static func cycling(_ n: Int) -> LineDash { allCases[n % allCases.count] }
}

/// One line: points in data coordinates (non-finite ones are left out), drawn in `colour`.
public struct ChartSeries: Equatable, Sendable {
    public var label: String
    public var colour: String
    public var dash: LineDash
    public var width: Double
    public var points: [(x: Double, y: Double)]

    public init(label: String, colour: String, dash: LineDash = .solid, width: Double = 1.4, points: [(x: Double, y: Double)]) {
        self.label = label; self.colour = colour; self.dash = dash; self.width = width
        self.points = points.filter { $0.x.isFinite && $0.y.isFinite }
    }

    public static func == (a: ChartSeries, b: ChartSeries) -> Bool {
        a.label == b.label && a.colour == b.colour && a.dash == b.dash && a.width == b.width
            && a.points.map(\.x) == b.points.map(\.x) && a.points.map(\.y) == b.points.map(\.y)
    }
}

/// Short vertical ticks at x positions along a panel's bottom (e.g. the steps that took an α step).
public struct ChartMarkers: Equatable, Sendable {
    public var label: String
    public var colour: String
    public var xs: [Double]
    public init(label: String, colour: String, xs: [Double]) { self.label = label; self.colour = colour; self.xs = xs }
}

/// One subplot: axes with labels (naming their units), its series and markers.
public struct ChartPanel: Equatable, Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [ChartSeries]
    public var markers: [ChartMarkers]
    /// A fixed y range (e.g. 0…1 for act(α)); nil fits the data.
    public var yRange: ClosedRange<Double>?

    public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries], markers: [ChartMarkers] = [],
                yRange: ClosedRange<Double>? = nil) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.series = series; self.markers = markers; self.yRange = yRange
    }
}

/// A legend row: a line sample in the series' colour and dash, or a marker sample.
public struct LegendEntry: Equatable, Sendable {
    public var label: String
    public var colour: String
    public var dash: LineDash
    public var isMarker: Bool
    public init(label: String, colour: String, dash: LineDash = .solid, isMarker: Bool = false) {
        self.label = label; self.colour = colour; self.dash = dash; self.isMarker = isMarker
    }
}

/// A titled grid of panels, `columns` wide, with one legend beside it.
public struct ChartFigure: Equatable, Sendable {
    public var title: String
    public var subtitle: String
    public var panels: [ChartPanel]
    public var columns: Int
    public var legend: [LegendEntry]

    public init(title: String, subtitle: String = "", panels: [ChartPanel], columns: Int, legend: [LegendEntry]) {
        precondition(columns >= 1, "a figure needs at least one column")
        self.title = title; self.subtitle = subtitle; self.panels = panels; self.columns = columns; self.legend = legend
    }

    public var seriesCount: Int { panels.reduce(0) { $0 + $1.series.count } }
}
