// Tables as text: CSV that `pandas.read_csv` and Python's csv module load as is (one header
// row, no comments, RFC 4180 quoting) or JSON (an array of one object per row, keys = the CSV
// header). Numbers use the history export's shortest round-trip text (RunStore/HistoryExport).

import RunStore

public enum ExportRendering {
    /// Writes `table` to `sink` in `format`, buffering into large writes.
    public static func write(_ table: ExportTable, as format: HistoryExportFormat, to sink: ExportSink) throws {
        var buffer = ""
        func flushIfFull() throws {
            if buffer.utf8.count >= 1 << 20 { try sink.write(buffer); buffer = "" }
        }
        switch format {
        case .csv:
            buffer = table.columns.map(HistoryExport.csvField).joined(separator: ",") + "\n"
            try table.produce { row in
                buffer += row.map(csv).joined(separator: ",") + "\n"
                try flushIfFull()
            }
        case .json:
            let keys = table.columns.map(HistoryExport.jsonString)
            var first = true
            buffer = "["
            try table.produce { row in
                buffer += (first ? "\n" : ",\n") + "  {" + zip(keys, row).map { "\($0): \(json($1))" }.joined(separator: ", ") + "}"
                first = false
                try flushIfFull()
            }
            buffer += first ? "]\n" : "\n]\n"
        }
        try sink.write(buffer)
    }

    static func csv(_ cell: ExportCell) -> String {
        switch cell {
        case .integer(let v): String(v)
        case .float(let v): HistoryExport.number(v)
        case .double(let v): HistoryExport.number(v)
        case .text(let s): HistoryExport.csvField(s)
        case .empty: ""
        }
    }

    /// Non-finite numbers become the strings "nan", "inf", "-inf" (JSON has no literal for them).
    static func json(_ cell: ExportCell) -> String {
        switch cell {
        case .integer(let v): String(v)
        case .float(let v): v.isFinite ? HistoryExport.number(v) : HistoryExport.jsonString(HistoryExport.number(v))
        case .double(let v): v.isFinite ? HistoryExport.number(v) : HistoryExport.jsonString(HistoryExport.number(v))
        case .text(let s): HistoryExport.jsonString(s)
        case .empty: "null"
        }
    }
}
