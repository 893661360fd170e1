// Method names: every paper method parses to the SPEC §5 combination and names round-trip.

import Testing
@testable import Search

@Test func paperMethodsParseToTheirDefinitions() throws {
    let cases: [(String, ScheduleKind, RegularizerKind, ActivationKind, Bool)] = [
        ("darts", .alternate, .none, .softmax, false),
        ("cs10", .constant, .none, .softmax, true),
        ("fimt", .fimt, .none, .softmax, true),
        ("pr", .alternate, .proximity, .softmax, false),
        ("prime", .fimt, .proximity, .softmax, true),
        ("prime+crb", .fimt, .proximity, .crb, true),
        ("darts+crb", .alternate, .none, .crb, false),
        ("crb", .alternate, .none, .crb, false),
        ("fimt+crb", .fimt, .none, .crb, true),
        ("darts+admm", .alternate, .admm, .softmax, false),
        ("fimt+admm", .fimt, .admm, .softmax, true),
        ("fimt+admm+crb", .fimt, .admm, .crb, true),
        ("FIMT+CRB+ADMM", .fimt, .admm, .crb, true),
    ]
    for (text, schedule, reg, act, split) in cases {
        let m = try MethodSpec.parse(text)
        #expect(m == MethodSpec(schedule: schedule, regularizer: reg, activation: act, dynamicSplit: split), "\(text)")
    }
    #expect(try MethodSpec.parse("fimt+crb+admm").name == "fimt+admm+crb")
    #expect(try MethodSpec.parse("crb").name == "darts+crb")
}

@Test func everySpecHasANameThatParsesBack() throws {
    for s in ScheduleKind.allCases {
        for r in RegularizerKind.allCases {
            for a in ActivationKind.allCases {
                for split in [false, true] {
                    let m = MethodSpec(schedule: s, regularizer: r, activation: a, dynamicSplit: split)
                    #expect(try MethodSpec.parse(m.name) == m, "\(m.name)")
                }
            }
        }
    }
}

@Test func badMethodNamesAreRejectedWithASentence() {
    #expect(throws: MethodError.unknown("dartz")) { try MethodSpec.parse("dartz") }
    #expect(throws: MethodError.unknown("fimt+crb+crb")) { try MethodSpec.parse("fimt+crb+crb") }
    #expect(throws: MethodError.unknown("")) { try MethodSpec.parse("") }
    #expect(throws: MethodError.conflicting("prime+admm")) { try MethodSpec.parse("prime+admm") }
    #expect("\(MethodError.unknown("x"))".hasPrefix("Unknown search method 'x'"))
}

@Test func trainFractionIsHalfOrDynamic() throws {
    #expect(try MethodSpec.parse("darts").trainFraction(r: 10) == 0.5)
    #expect(try MethodSpec.parse("pr").trainFraction(r: 10) == 0.5)
    let p = try MethodSpec.parse("prime").trainFraction(r: 10)
    #expect(abs(p - 10.0 / 11.0) < 1e-15)
    #expect(try MethodSpec.parse("cs10").trainFraction(r: 3) == 0.75)
}
