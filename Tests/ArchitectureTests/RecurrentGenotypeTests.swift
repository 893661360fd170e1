// Recurrent genotype text (SPEC §7): DARTS's `Genotype(recurrent=[…], concat=range(1, 9))` out
// and back in, and the one-sentence errors of malformed texts in both spaces.

import Foundation
import Testing
@testable import Architecture

private let recurrentV2Text = "Genotype(recurrent=[('sigmoid', 0), ('relu', 1), ('relu', 1), ('identity', 1), ('tanh', 2), ('sigmoid', 5), ('tanh', 3), ('relu', 5)], concat=range(1, 9))"

private func message(_ text: String, _ space: SearchSpace) -> String {
    do { _ = try Genotype(parsing: text, space: space); return "parsed" } catch { return "\(error)" }
}

@Test func recurrentTextRoundTrips() throws {
    #expect(Genotype.recurrentDartsV2.description == recurrentV2Text)
    let parsed = try Genotype(parsing: recurrentV2Text, space: .recurrent)
    #expect(parsed == Genotype.recurrentDartsV2)
    #expect(parsed.description == recurrentV2Text)
    // A list concat and free spacing read the same; printing returns to `range(1, 9)`.
    let loose = recurrentV2Text.replacingOccurrences(of: "concat=range(1, 9)", with: "concat = [1, 2, 3, 4, 5, 6, 7, 8]")
        .replacingOccurrences(of: "('", with: "( \"").replacingOccurrences(of: "',", with: "\" ,")
    #expect(try Genotype(parsing: loose, space: .recurrent).description == recurrentV2Text)
    let copy = try JSONDecoder().decode(Genotype.self, from: JSONEncoder().encode(parsed))
    #expect(copy == parsed)
}

@Test func recurrentParseErrorsNameTheProblem() {
    let good = recurrentV2Text
    #expect(message(good.replacingOccurrences(of: "('tanh', 2)", with: "('sep_conv_3x3', 2)"), .recurrent)
            == "Genotype text names an unknown operation 'sep_conv_3x3'.")
    #expect(message(good.replacingOccurrences(of: "('sigmoid', 0), ", with: ""), .recurrent)
            == "Genotype field `recurrent` has 7 (op, input) pairs where the search space needs 8.")
    #expect(message(good.replacingOccurrences(of: "('sigmoid', 0)", with: "('sigmoid', 1)"), .recurrent)
            == "Genotype pair ('sigmoid', 1) is not a valid input of node 0.")
    #expect(message(good.replacingOccurrences(of: "('relu', 5)]", with: "('relu', 8)]"), .recurrent)
            == "Genotype pair ('relu', 8) is not a valid input of node 7.")
    #expect(message(good.replacingOccurrences(of: "('tanh', 3)", with: "('tanh', -1)"), .recurrent)
            == "Genotype pair ('tanh', -1) is not a valid input of node 6.")
    #expect(message(good.replacingOccurrences(of: ", concat=range(1, 9)", with: ""), .recurrent)
            == "Genotype text has no `concat` field.")
    // Each space reads only its own fields.
    #expect(message(good, .cnn) == "Genotype text has an unknown field `concat`.")
    #expect(message(Genotype.dartsV2.description, .recurrent) == "Genotype text has an unknown field `normal`.")
}

@Test func cnnParsingChecksThePairCount() {
    let good = Genotype.dartsV2.description
    #expect(message(good.replacingOccurrences(of: ", ('dil_conv_3x3', 2)]", with: "]"), .cnn)
            == "Genotype field `normal` has 7 (op, input) pairs where the search space needs 8.")
    #expect(message(good.replacingOccurrences(of: "('max_pool_3x3', 1)]", with: "('max_pool_3x3', 1), ('skip_connect', 0)]"), .cnn)
            == "Genotype field `reduce` has 9 (op, input) pairs where the search space needs 8.")
    #expect(message(good, .cnnWithoutNone) == "parsed", "CRB genotypes use the same ops and cells")
}
