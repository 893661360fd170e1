// What the plot tests read back from an SVG: it must parse as XML (Foundation's XMLParser), and
// they count its series per panel and collect its texts by class (titles, axis labels, legend).

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

public struct SVGInspection {
    /// `<path class="series">` count of each `<g class="panel">`, in order.
    public var seriesPerPanel: [Int] = []
    /// Text content by the `class` of its `<text>` (e.g. "axis-label x", "legend-label", "title").
    public var texts: [String: [String]] = [:]
    /// `<g class="markers">` groups and their tick count.
    public var markerTicks: [Int] = []
    public var rootName = ""

    public var seriesCount: Int { seriesPerPanel.reduce(0, +) }
    public var legend: [String] { texts["legend-label"] ?? [] }
    public var axisLabels: [String] { (texts["axis-label x"] ?? []) + (texts["axis-label y"] ?? []) }

    /// Parses `data`; a document that is not well-formed XML throws, naming the parser's error.
    public init(data: Data) throws {
        let delegate = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        guard parser.parse() else {
            throw SVGParseError(reason: parser.parserError.map { "\($0)" } ?? "not well-formed")
        }
        // libxml2 does not always report a document cut short: its root must have been closed.
        guard delegate.depth == 0, !delegate.result.rootName.isEmpty else {
            throw SVGParseError(reason: "the document ends inside <\(delegate.result.rootName)>")
        }
        self = delegate.result
    }

    public init(file: URL) throws { try self.init(data: try Data(contentsOf: file)) }

    init() {}
}

public struct SVGParseError: Error, CustomStringConvertible { public var reason: String; public var description: String { reason } }

private final class Collector: NSObject, XMLParserDelegate {
    var result = SVGInspection()
    var textClass: String?
    var text = ""
    var inMarkers = false
    var depth = 0

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if result.rootName.isEmpty { result.rootName = name }
        depth += 1
        let cls = attributes["class"]
        switch (name, cls) {
        case ("g", "panel"): result.seriesPerPanel.append(0)
        case ("path", "series"): if !result.seriesPerPanel.isEmpty { result.seriesPerPanel[result.seriesPerPanel.count - 1] += 1 }
        case ("g", "markers"): result.markerTicks.append(0); inMarkers = true
        case ("line", _) where inMarkers: result.markerTicks[result.markerTicks.count - 1] += 1
        case ("text", let c?): textClass = c; text = ""
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if textClass != nil { text += string } }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text", let c = textClass { result.texts[c, default: []].append(text); textClass = nil }
        if name == "g" { inMarkers = false }
        depth -= 1
    }
}
