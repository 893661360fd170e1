// DartsNN's op builder and the Architecture's operation list name the same eight operations in
// the same (α column) order, so a genotype's op names always build.

import Testing
import Architecture
import DartsNN

@Test("CellOperation.names is CNNOperation.allCases, in order")
func operationNamesAgree() {
    #expect(CellOperation.names == CNNOperation.allCases.map(\.rawValue))
}
