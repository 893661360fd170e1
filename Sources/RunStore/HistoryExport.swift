// History as text for scripts and run comparison without an HDF5 library: CSV (one row per step,
// arrays flattened to name[i] columns) or JSON (one object per step). Formats in FORMAT.md §7.
import Foundation

public enum HistoryExportFormat: String, CaseIterable, Sendable { case csv, json }

public enum HistoryExport {
    public static func render(_ rows: [HistoryRow], as format: HistoryExportFormat) -> String {
        switch format {
        case .csv: csv(rows)
        case .json: json(rows)
        }
    }

    /// Header: step, epoch_end, every value name (byte order), every array element as
    /// `name[i]` (flat C-order index), state_digest. A value a row lacks is an empty cell.
    public static func csv(_ rows: [HistoryRow]) -> String {
        let valueNames = StateDigest.sortedKeys(Set(rows.flatMap { $0.values.keys }))
        var arraySizes: [String: Int] = [:]
        for r in rows { for (k, a) in r.arrays { arraySizes[k] = max(arraySizes[k] ?? 0, a.count) } }
        let arrayNames = StateDigest.sortedKeys(arraySizes.keys)
        var header = ["step", "epoch_end"] + valueNames
        for k in arrayNames { header += (0..<arraySizes[k]!).map { "\(k)[\($0)]" } }
        header.append("state_digest")
        var lines = [header.map(csvField).joined(separator: ",")]
        for r in rows {
            var cells = [String(r.step), r.epochEnd ? "1" : "0"]
            cells += valueNames.map { r.values[$0].map(number) ?? "" }
            for k in arrayNames {
                let items = r.arrays[k].map(elements) ?? []
                cells += (0..<arraySizes[k]!).map { $0 < items.count ? items[$0] : "" }
            }
            cells.append(r.stateDigest)
            lines.append(cells.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A JSON array of {"step", "epoch_end", "values": {...}, "arrays": {name: {"dtype",
    /// "shape", "data"}}, "state_digest"}. Non-finite numbers are the strings "nan", "inf", "-inf".
    public static func json(_ rows: [HistoryRow]) -> String {
        var out = "[\n"
        for (i, r) in rows.enumerated() {
            let values = StateDigest.sortedKeys(r.values.keys).map { "\(jsonString($0)): \(jsonNumber(r.values[$0]!))" }
            let arrays = StateDigest.sortedKeys(r.arrays.keys).map { k -> String in
                let a = r.arrays[k]!
                let data = elements(a).map { Double($0) == nil ? jsonString($0) : $0 }
                return "\(jsonString(k)): {\"dtype\": \"\(a.dtype.rawValue)\", \"shape\": [\(a.shape.map(String.init).joined(separator: ", "))], \"data\": [\(data.joined(separator: ", "))]}"
            }
            out += "  {\"step\": \(r.step), \"epoch_end\": \(r.epochEnd), \"values\": {\(values.joined(separator: ", "))}, "
            out += "\"arrays\": {\(arrays.joined(separator: ", "))}, \"state_digest\": \(jsonString(r.stateDigest))}"
            out += i + 1 < rows.count ? ",\n" : "\n"
        }
        return out + "]\n"
    }

    /// Shortest text that reads back to the same value (shared with the Analysis exports) ("nan", "inf", "-inf" when not finite).
    public static func number(_ v: Double) -> String { v.isNaN ? "nan" : v.isInfinite ? (v < 0 ? "-inf" : "inf") : "\(v)" }
    public static func number(_ v: Float) -> String { v.isNaN ? "nan" : v.isInfinite ? (v < 0 ? "-inf" : "inf") : "\(v)" }
    static func jsonNumber(_ v: Double) -> String { v.isFinite ? "\(v)" : jsonString(number(v)) }

    static func elements(_ a: StoredArray) -> [String] {
        switch a.data {
        case .float32(let v): v.map(number)
        case .float64(let v): v.map(number)
        case .int64(let v): v.map(String.init)
        case .uint8(let v): v.map(String.init)
        }
    }

    public static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
