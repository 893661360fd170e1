// A Slurm time limit (`--time`) in the forms sbatch accepts, read to seconds so the signal's
// lead time can be checked against it before anything is submitted.

public struct SlurmTimeLimit: Equatable, Sendable, CustomStringConvertible {
    /// The text as given (written to the script unchanged).
    public let text: String
    public let seconds: Int

    /// `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S` (sbatch(1)); anything else is refused
    /// rather than left for sbatch to reject after the grid was written.
    public init(_ text: String) throws {
        let refuse = ClusterError.invalidSetting(
            flag: "--time",
            reason: "'\(text)' is not a Slurm time limit (minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S)")
        let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard dayParts.count <= 2 else { throw refuse }
        let clock = dayParts.last!.split(separator: ":", omittingEmptySubsequences: false)
        func number(_ s: Substring) throws -> Int {
            guard !s.isEmpty, s.allSatisfy(\.isASCII), s.allSatisfy(\.isNumber), s.count <= 9, let n = Int(s) else { throw refuse }
            return n
        }
        let fields = try clock.map(number)
        var total: Int
        if dayParts.count == 2 {
            // D-H, D-H:M, D-H:M:S
            guard (1...3).contains(fields.count) else { throw refuse }
            let padded = fields + Array(repeating: 0, count: 3 - fields.count)
            total = try number(dayParts[0]) * 86_400 + padded[0] * 3_600 + padded[1] * 60 + padded[2]
        } else {
            switch fields.count {
            case 1: total = fields[0] * 60                                     // M
            case 2: total = fields[0] * 60 + fields[1]                         // M:S
            case 3: total = fields[0] * 3_600 + fields[1] * 60 + fields[2]     // H:M:S
            default: throw refuse
            }
        }
        guard total > 0 else {
            throw ClusterError.invalidSetting(flag: "--time", reason: "'\(text)' is no time at all: a task needs a positive time limit")
        }
        self.text = text
        seconds = total
    }

    public var description: String { text }
}
