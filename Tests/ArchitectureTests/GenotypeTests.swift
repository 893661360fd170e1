// Genotype text: DARTS's Python syntax out, and back in (with range(), quotes, errors).

import Foundation
import Testing
@testable import Architecture

private let dartsV2Text = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"

@Test func descriptionIsDartsPythonSyntax() {
    #expect(Genotype.dartsV2.description == dartsV2Text)
}

@Test func parsingRoundTripsAndAcceptsRange() throws {
    #expect(try Genotype(parsing: dartsV2Text) == Genotype.dartsV2)
    let loose = """
    Genotype( reduce = [("max_pool_3x3", 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1),
      ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)],
      reduce_concat=range(2, 6), normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0),
      ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)],
      normal_concat=range(2, 6) )
    """
    #expect(try Genotype(parsing: loose) == Genotype.dartsV2)
}

@Test func genotypeIsCodable() throws {
    let data = try JSONEncoder().encode(Genotype.dartsV2)
    #expect(try JSONDecoder().decode(Genotype.self, from: data) == Genotype.dartsV2)
    var other = Genotype.dartsV2
    other.reduce[7].input = 0
    #expect(other != Genotype.dartsV2)
}

@Test func parseErrorsNameTheProblem() {
    func message(_ text: String) -> String {
        do { _ = try Genotype(parsing: text); return "parsed" } catch { return "\(error)" }
    }
    let good = dartsV2Text
    #expect(message(good.replacingOccurrences(of: "sep_conv_3x3', 0", with: "sep_conv_7x7', 0"))
            == "Genotype text names an unknown operation 'sep_conv_7x7'.")
    #expect(message(good.replacingOccurrences(of: "('dil_conv_3x3', 2)", with: "('dil_conv_3x3', 5)"))
            == "Genotype pair ('dil_conv_3x3', 5) is not a valid input of node 3.")
    #expect(message(good.replacingOccurrences(of: ", reduce_concat=[2, 3, 4, 5]", with: ""))
            == "Genotype text has no `reduce_concat` field.")
    #expect(message("Genotype(normal=[('sep_conv_3x3' 0)])")
            == "Genotype text at character 33: expected `,` but found 0.")
    #expect(message("Genotyp()").hasPrefix("Genotype text at character 0: expected `Genotype(`"))
    #expect(message(good + " x").hasSuffix("expected the end of the text but found `x`."))
}

