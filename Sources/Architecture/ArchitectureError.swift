// Errors of the Architecture module: each prints as one sentence naming what was wrong.

/// A genotype text that could not be read.
public enum ArchitectureError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The text does not follow `Genotype(normal=[…], normal_concat=…, …)` or `Genotype(recurrent=[…], concat=…)`.
    case genotypeSyntax(position: Int, expected: String, found: String)
    /// A field the search space requires (`normal`, `reduce_concat`, `recurrent`, …) is missing.
    case missingField(String)
    /// A field appears that genotypes of the search space do not have.
    case unknownField(String)
    /// An operation name that is not one of the search space's operations.
    case unknownOperation(String)
    /// A cell lists a number of (op, input) pairs other than the space's nodes × kept inputs.
    case wrongPairCount(field: String, found: Int, expected: Int)
    /// An (op, input) pair whose input is not available to its node (0-based intermediate node).
    case invalidInput(op: String, input: Int, node: Int)

    public var description: String {
        switch self {
        case let .genotypeSyntax(position, expected, found):
            return "Genotype text at character \(position): expected \(expected) but found \(found)."
        case let .missingField(name):
            return "Genotype text has no `\(name)` field."
        case let .unknownField(name):
            return "Genotype text has an unknown field `\(name)`."
        case let .unknownOperation(name):
            return "Genotype text names an unknown operation '\(name)'."
        case let .wrongPairCount(field, found, expected):
            return "Genotype field `\(field)` has \(found) (op, input) pairs where the search space needs \(expected)."
        case let .invalidInput(op, input, node):
            return "Genotype pair ('\(op)', \(input)) is not a valid input of node \(node)."
        }
    }
}
