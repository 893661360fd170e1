// ChartFigure → SVG text. Every number is printed with fixed decimals and elements come in the
// figure's order, so the output is byte-for-byte reproducible. Classes name what each element
// is (`series`, `markers`, `legend-label`, `axis-label`, `tick-label`), which the tests count.

import Foundation

public enum SVGRenderer {
    static let panelWidth = 380.0, panelHeight = 250.0
    static let marginLeft = 72.0, marginRight = 16.0, marginTop = 28.0, marginBottom = 48.0
    static let titleHeight = 52.0, legendWidth = 230.0, legendRow = 17.0

    public static func render(_ figure: ChartFigure) -> String {
        let rows = max(1, (figure.panels.count + figure.columns - 1) / figure.columns)
        let gridWidth = Double(figure.columns) * panelWidth
        let legendHeight = Double(figure.legend.count) * legendRow + 24
        let width = gridWidth + (figure.legend.isEmpty ? 0 : legendWidth)
        let height = titleHeight + max(Double(rows) * panelHeight, legendHeight)
        var out = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width, 0))" height="\(f(height, 0))" viewBox="0 0 \(f(width, 0)) \(f(height, 0))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
        <title>\(escape(figure.title))</title>
        <rect width="100%" height="100%" fill="white"/>
        <text class="title" x="\(f(width / 2, 1))" y="22" text-anchor="middle" font-size="15" font-weight="bold">\(escape(figure.title))</text>

        """
        if !figure.subtitle.isEmpty {
            out += "<text class=\"subtitle\" x=\"\(f(width / 2, 1))\" y=\"40\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">\(escape(figure.subtitle))</text>\n"
        }
        for (i, panel) in figure.panels.enumerated() {
            let x = Double(i % figure.columns) * panelWidth, y = titleHeight + Double(i / figure.columns) * panelHeight
            out += renderPanel(panel, x: x, y: y)
        }
        if !figure.legend.isEmpty { out += renderLegend(figure.legend, x: gridWidth + 8, y: titleHeight + 8) }
        out += "</svg>\n"
        return out
    }

    static func renderPanel(_ panel: ChartPanel, x: Double, y: Double) -> String {
        let left = x + marginLeft, top = y + marginTop
        let w = panelWidth - marginLeft - marginRight, h = panelHeight - marginTop - marginBottom
        let xs = panel.series.flatMap { $0.points.map(\.x) } + panel.markers.flatMap(\.xs)
        let ys = panel.series.flatMap { $0.points.map(\.y) }
        let xTicks = NiceTicks(lower: xs.min() ?? 0, upper: xs.max() ?? 1, tight: true)
        let yTicks = panel.yRange.map { NiceTicks(lower: $0.lowerBound, upper: $0.upperBound) }
            ?? NiceTicks(lower: ys.min() ?? 0, upper: ys.max() ?? 1)
        func px(_ v: Double) -> Double { left + (v - xTicks.lower) / (xTicks.upper - xTicks.lower) * w }
        func py(_ v: Double) -> Double { top + h - (v - yTicks.lower) / (yTicks.upper - yTicks.lower) * h }

        var out = "<g class=\"panel\">\n"
        out += "<text class=\"panel-title\" x=\"\(f(left + w / 2, 1))\" y=\"\(f(y + 18, 1))\" text-anchor=\"middle\" font-size=\"12\">\(escape(panel.title))</text>\n"
        out += "<rect class=\"frame\" x=\"\(f(left, 1))\" y=\"\(f(top, 1))\" width=\"\(f(w, 1))\" height=\"\(f(h, 1))\" fill=\"none\" stroke=\"#333\" stroke-width=\"0.8\"/>\n"
        out += "<g class=\"axis x\" font-size=\"10\">\n"
        for v in xTicks.values {
            let p = px(v)
            out += "<line x1=\"\(f(p, 1))\" y1=\"\(f(top + h, 1))\" x2=\"\(f(p, 1))\" y2=\"\(f(top + h + 4, 1))\" stroke=\"#333\"/>"
            out += "<text class=\"tick-label\" x=\"\(f(p, 1))\" y=\"\(f(top + h + 15, 1))\" text-anchor=\"middle\">\(escape(xTicks.label(v)))</text>\n"
        }
        out += "</g>\n<g class=\"axis y\" font-size=\"10\">\n"
        for v in yTicks.values {
            let p = py(v)
            out += "<line x1=\"\(f(left, 1))\" y1=\"\(f(p, 1))\" x2=\"\(f(left + w, 1))\" y2=\"\(f(p, 1))\" stroke=\"#e4e4e4\" stroke-width=\"0.6\"/>"
            out += "<line x1=\"\(f(left - 4, 1))\" y1=\"\(f(p, 1))\" x2=\"\(f(left, 1))\" y2=\"\(f(p, 1))\" stroke=\"#333\"/>"
            out += "<text class=\"tick-label\" x=\"\(f(left - 6, 1))\" y=\"\(f(p + 3.5, 1))\" text-anchor=\"end\">\(escape(yTicks.label(v)))</text>\n"
        }
        out += "</g>\n"
        out += "<text class=\"axis-label x\" x=\"\(f(left + w / 2, 1))\" y=\"\(f(top + h + 34, 1))\" text-anchor=\"middle\" font-size=\"11\">\(escape(panel.xLabel))</text>\n"
        let yc = top + h / 2, xc = x + 16
        out += "<text class=\"axis-label y\" x=\"\(f(xc, 1))\" y=\"\(f(yc, 1))\" text-anchor=\"middle\" font-size=\"11\" transform=\"rotate(-90 \(f(xc, 1)) \(f(yc, 1)))\">\(escape(panel.yLabel))</text>\n"
        for s in panel.series {
            var d = s.points.enumerated().map { i, p in (i == 0 ? "M" : "L") + f(px(p.x), 2) + " " + f(py(p.y), 2) }.joined(separator: " ")
            if s.points.count == 1 { d += " h0.01" }  // a lone point: drawn as a dot by the round cap
            let dash = s.dash.pattern.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            out += "<path class=\"series\" data-label=\"\(escape(s.label))\" d=\"\(d)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"\(f(s.width, 2))\"\(dash) stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n"
        }
        for (row, m) in panel.markers.enumerated() {
            let base = top + h - 2 - Double(row) * 7
            out += "<g class=\"markers\" data-label=\"\(escape(m.label))\" stroke=\"\(m.colour)\" stroke-width=\"1\">"
            for v in m.xs { out += "<line x1=\"\(f(px(v), 2))\" y1=\"\(f(base, 1))\" x2=\"\(f(px(v), 2))\" y2=\"\(f(base - 5, 1))\"/>" }
            out += "</g>\n"
        }
        out += "</g>\n"
        return out
    }

    static func renderLegend(_ entries: [LegendEntry], x: Double, y: Double) -> String {
        var out = "<g class=\"legend\" font-size=\"10.5\">\n"
        for (i, e) in entries.enumerated() {
            let cy = y + 10 + Double(i) * legendRow
            if e.isMarker {
                out += "<line x1=\"\(f(x + 12, 1))\" y1=\"\(f(cy + 5, 1))\" x2=\"\(f(x + 12, 1))\" y2=\"\(f(cy - 5, 1))\" stroke=\"\(e.colour)\" stroke-width=\"1.2\"/>"
            } else {
                let dash = e.dash.pattern.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                out += "<line x1=\"\(f(x, 1))\" y1=\"\(f(cy, 1))\" x2=\"\(f(x + 26, 1))\" y2=\"\(f(cy, 1))\" stroke=\"\(e.colour)\" stroke-width=\"2\"\(dash)/>"
            }
            out += "<text class=\"legend-label\" x=\"\(f(x + 32, 1))\" y=\"\(f(cy + 3.5, 1))\">\(escape(e.label))</text>\n"
        }
        out += "</g>\n"
        return out
    }

    /// Fixed-decimal text of `v` (deterministic, locale-free).
    static func f(_ v: Double, _ decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", v)
        return text == "-0" || text.hasPrefix("-0.") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    /// `text` safe inside an XML element or a double-quoted attribute.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
