// One tidy table of an export (docs/FORMAT.md "Exports"): fixed column names and rows produced
// one at a time, so a long run's α table (steps × cells × edges × ops rows) is written as it is
// read instead of being held in memory.

/// One cell of an export row. `empty` is a value the run does not store (an empty CSV cell,
/// JSON `null`); a stored NaN is `.double(.nan)` and prints as `nan`.
public enum ExportCell: Equatable, Sendable {
    case integer(Int)
    case float(Float)
    case double(Double)
    case text(String)
    case empty

    /// An integer-valued history number (epoch, flags, counters) as an integer; NaN (step 0) → empty.
    public static func wholeNumber(_ v: Double?) -> ExportCell {
        guard let v, v.isFinite, v == v.rounded(), abs(v) < 1e15 else { return .empty }
        return .integer(Int(v))
    }

    /// A stored number, or empty where the row lacks it.
    public static func number(_ v: Double?) -> ExportCell { v.map(ExportCell.double) ?? .empty }
}

/// A table with named columns whose rows `produce` hands to a callback in order.
public struct ExportTable {
    public let columns: [String]
    private let producer: (_ emit: ([ExportCell]) throws -> Void) throws -> Void

    public init(columns: [String], producer: @escaping (_ emit: ([ExportCell]) throws -> Void) throws -> Void) {
        self.columns = columns
        self.producer = producer
    }

    /// Calls `emit` with every row, in order; each row has one cell per column.
    public func produce(_ emit: ([ExportCell]) throws -> Void) throws {
        let width = columns.count
        try producer { row in
            precondition(row.count == width, "export row has \(row.count) cells for \(width) columns")
            try emit(row)
        }
    }

    /// Every row at once (tests and small tables).
    public func rows() throws -> [[ExportCell]] {
        var out: [[ExportCell]] = []
        try produce { out.append($0) }
        return out
    }
}
