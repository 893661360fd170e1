// A small reader for DARTS's `Genotype(...)` Python text: keyword arguments whose values are
// lists of ('op', input) tuples, lists of integers, or `range(a, b)`.
//
// Kept apart from `Genotype` so it knows only the syntax: which fields a search space needs
// and what their values may be is checked in GenotypeText.swift.

/// A value in a genotype's keyword argument.
public enum GenotypeValue: Equatable, Sendable {
    case pairs([GenotypeEdge])
    case integers([Int])
}

/// Parses `Genotype(name=value, …)` into its keyword arguments.
public func parseGenotypeArguments(_ text: String) throws -> [String: GenotypeValue] {
    var p = GenotypeTextParser(text)
    return try p.parseCall()
}

private enum Token: Equatable {
    case identifier(String), integer(Int), string(String), punct(Character), end

    var display: String {
        switch self {
        case let .identifier(s): return "`\(s)`"
        case let .integer(i): return "\(i)"
        case let .string(s): return "'\(s)'"
        case let .punct(c): return "`\(c)`"
        case .end: return "the end of the text"
        }
    }
}

private struct GenotypeTextParser {
    let chars: [Character]
    var i = 0
    var tokenStart = 0

    init(_ text: String) { chars = Array(text) }

    mutating func next() throws -> Token {
        while i < chars.count, chars[i].isWhitespace { i += 1 }
        tokenStart = i
        guard i < chars.count else { return .end }
        let c = chars[i]
        if c.isLetter || c == "_" {
            var s = ""
            while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { s.append(chars[i]); i += 1 }
            return .identifier(s)
        }
        if c.isNumber || c == "-" {
            var s = String(c); i += 1
            while i < chars.count, chars[i].isNumber { s.append(chars[i]); i += 1 }
            guard let v = Int(s) else { throw syntax("an integer", found: "`\(s)`") }
            return .integer(v)
        }
        if c == "'" || c == "\"" {
            i += 1
            var s = ""
            while i < chars.count, chars[i] != c { s.append(chars[i]); i += 1 }
            guard i < chars.count else { throw syntax("a closing quote", found: "the end of the text") }
            i += 1
            return .string(s)
        }
        if "()[],=".contains(c) { i += 1; return .punct(c) }
        throw syntax("a name, number, string or bracket", found: "`\(c)`")
    }

    func syntax(_ expected: String, found: String) -> ArchitectureError {
        .genotypeSyntax(position: tokenStart, expected: expected, found: found)
    }

    mutating func expect(_ c: Character) throws {
        let t = try next()
        guard t == .punct(c) else { throw syntax("`\(c)`", found: t.display) }
    }

    mutating func integer() throws -> Int {
        let t = try next()
        guard case let .integer(v) = t else { throw syntax("an integer", found: t.display) }
        return v
    }

    mutating func parseCall() throws -> [String: GenotypeValue] {
        let head = try next()
        guard head == .identifier("Genotype") else { throw syntax("`Genotype(`", found: head.display) }
        try expect("(")
        var fields: [String: GenotypeValue] = [:]
        while true {
            let t = try next()
            if t == .punct(")") { break }
            guard case let .identifier(name) = t else { throw syntax("a field name or `)`", found: t.display) }
            try expect("=")
            fields[name] = try value()
            let sep = try next()
            if sep == .punct(")") { break }
            guard sep == .punct(",") else { throw syntax("`,` or `)`", found: sep.display) }
        }
        let rest = try next()
        guard rest == .end else { throw syntax("the end of the text", found: rest.display) }
        return fields
    }

    mutating func value() throws -> GenotypeValue {
        let t = try next()
        if t == .identifier("range") {
            try expect("(")
            let a = try integer()
            let sep = try next()
            if sep == .punct(")") { return .integers(Array(0..<max(a, 0))) }
            guard sep == .punct(",") else { throw syntax("`,` or `)`", found: sep.display) }
            let b = try integer()
            try expect(")")
            return .integers(a < b ? Array(a..<b) : [])
        }
        guard t == .punct("[") else { throw syntax("`[` or `range(`", found: t.display) }
        var pairs: [GenotypeEdge] = []
        var ints: [Int] = []
        while true {
            let item = try next()
            if item == .punct("]") { break }
            switch item {
            case .punct("("):
                guard ints.isEmpty else { throw syntax("an integer", found: "`(`") }
                let op = try next()
                guard case let .string(name) = op else { throw syntax("an operation name in quotes", found: op.display) }
                try expect(",")
                let input = try integer()
                try expect(")")
                pairs.append(GenotypeEdge(op: name, input: input))
            case let .integer(v):
                guard pairs.isEmpty else { throw syntax("an (op, input) pair", found: "\(v)") }
                ints.append(v)
            default:
                throw syntax("an (op, input) pair or an integer", found: item.display)
            }
            let sep = try next()
            if sep == .punct("]") { break }
            guard sep == .punct(",") else { throw syntax("`,` or `]`", found: sep.display) }
        }
        return ints.isEmpty ? .pairs(pairs) : .integers(ints)
    }
}
