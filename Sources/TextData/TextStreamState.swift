// Everything the truncated-BPTT stream needs to continue exactly where it stopped, and its
// validation against the stream it is restored into.
import DartsCore

/// The complete state of a `TruncatedBPTTStream`: restoring it reproduces every later batch.
public struct TextStreamState: Codable, Equatable, Sendable {
    /// Epochs (passes over the matrix) started so far; 0 before the first batch.
    public var pass: Int
    /// Batches handed out in the current pass.
    public var batchInPass: Int
    /// The row the next batch starts at (DARTS's `i`).
    public var cursor: Int
    /// The shape and BPTT length the state was produced with (a resume with others is refused).
    public var rows: Int
    public var columns: Int
    public var bptt: Int
    /// Draws each batch's sequence length.
    public var lengthRNG: PhiloxRandom

    public init(pass: Int, batchInPass: Int, cursor: Int, rows: Int, columns: Int, bptt: Int, lengthRNG: PhiloxRandom) {
        self.pass = pass; self.batchInPass = batchInPass; self.cursor = cursor
        self.rows = rows; self.columns = columns; self.bptt = bptt; self.lengthRNG = lengthRNG
    }

    /// Throws `invalidStreamState` unless this state fits a stream over a `rows`×`columns` matrix
    /// with `bptt` and `batchesPerPass` batches per pass.
    public func validate(rows expectedRows: Int, columns expectedColumns: Int, bptt expectedBPTT: Int,
                         batchesPerPass: Int) throws {
        func fail(_ reason: String) -> TextDataError { .invalidStreamState(reason: reason) }
        guard rows == expectedRows, columns == expectedColumns else {
            throw fail("it was saved over a \(rows)×\(columns) token matrix, the stream has \(expectedRows)×\(expectedColumns)")
        }
        guard bptt == expectedBPTT else { throw fail("it was saved with bptt \(bptt), the stream uses \(expectedBPTT)") }
        guard pass >= 0 else { throw fail("pass number \(pass) is negative") }
        if pass == 0 {
            guard batchInPass == 0, cursor == 0 else { throw fail("no pass has started but batch \(batchInPass), cursor \(cursor)") }
        }
        guard batchInPass >= 0, batchInPass <= batchesPerPass else {
            throw fail("batch \(batchInPass) is outside 0...\(batchesPerPass), the batches of a pass")
        }
        // Each batch moves the cursor by bptt or ⌊bptt/2⌋.
        guard cursor >= batchInPass * (bptt / 2), cursor <= batchInPass * bptt else {
            throw fail("cursor \(cursor) cannot follow \(batchInPass) batches of \(bptt / 2) or \(bptt) rows")
        }
        guard lengthRNG.lane <= 4 else { throw fail("the length generator's lane \(lengthRNG.lane) is outside 0...4") }
    }
}
