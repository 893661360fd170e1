// One pass over a corpus file's bytes: validates it as UTF-8 text and turns each line into its
// words' indices plus `<eos>`, exactly as the reference's `line.split() + ['<eos>']` over
// `open(path, encoding='utf-8')` does.
//
// Lines end at `\n`, `\r\n` or a lone `\r` (Python's universal newlines); a last line without
// a newline still counts, a trailing newline adds no empty line. Words are separated by the
// whitespace of Python's `str.split()`: space, tab, vertical tab, form feed, and the Unicode
// spaces U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
// Control bytes other than those (NUL, 0x01–0x08, 0x0E–0x1F, DEL) mark a binary file and are
// refused, as is any invalid UTF-8 sequence (overlong, surrogate, beyond U+10FFFF, cut short).

enum Tokenizer {
    static let endOfSentence = "<eos>"

    /// The token indices of `bytes` (the file at `path`, for errors), growing `table`.
    static func tokenize(_ bytes: [UInt8], path: String, table: inout WordTable) throws -> [Int] {
        var tokens: [Int] = []
        tokens.reserveCapacity(bytes.count / 4)
        let eos = Array(endOfSentence.utf8)
        try bytes.withUnsafeBufferPointer { all in
            try eos.withUnsafeBufferPointer { eosBytes in
                let base = all.baseAddress!
                let n = all.count
                var line = 1
                var wordStart = -1      // first byte of the word being read, -1 between words
                var lineOpen = false    // bytes seen since the last line end
                var i = 0
                func endWord(at end: Int) {
                    if wordStart >= 0 {
                        tokens.append(table.index(of: UnsafeBufferPointer(start: base + wordStart, count: end - wordStart)))
                        wordStart = -1
                    }
                }
                func endLine(at end: Int) {
                    endWord(at: end)
                    tokens.append(table.index(of: eosBytes))
                    line += 1
                    lineOpen = false
                }
                while i < n {
                    let b = base[i]
                    if b >= 0x21 && b < 0x7F {
                        if wordStart < 0 { wordStart = i }
                        lineOpen = true
                        i += 1
                        continue
                    }
                    switch b {
                    case 0x0A:
                        endLine(at: i); i += 1
                    case 0x0D:
                        endLine(at: i); i += (i + 1 < n && base[i + 1] == 0x0A) ? 2 : 1
                    case 0x20, 0x09, 0x0B, 0x0C:
                        endWord(at: i); lineOpen = true; i += 1
                    case 0x00:
                        throw TextDataError.notText(path: path, line: line, reason: "a NUL byte at offset \(i)")
                    case 0x01...0x1F, 0x7F:
                        throw TextDataError.notText(path: path, line: line,
                                                    reason: "control byte \(hex(b)) at offset \(i)")
                    default:
                        guard let (scalar, length) = decode(all, at: i) else {
                            throw TextDataError.notText(path: path, line: line,
                                                        reason: "invalid UTF-8 byte \(hex(b)) at offset \(i)")
                        }
                        if isUnicodeSpace(scalar) {
                            endWord(at: i)
                        } else if wordStart < 0 {
                            wordStart = i
                        }
                        lineOpen = true
                        i += length
                    }
                }
                if lineOpen { endLine(at: n) }
            }
        }
        return tokens
    }

    /// The scalar value and byte length of the multi-byte UTF-8 sequence at `i`; nil if invalid.
    static func decode(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int)? {
        let b0 = s[i]
        let length: Int, low: UInt8, high: UInt8   // the second byte's allowed range
        switch b0 {
        case 0xC2...0xDF: length = 2; low = 0x80; high = 0xBF
        case 0xE0: length = 3; low = 0xA0; high = 0xBF
        case 0xED: length = 3; low = 0x80; high = 0x9F          // no surrogates
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; low = 0x80; high = 0xBF
        case 0xF0: length = 4; low = 0x90; high = 0xBF
        case 0xF1...0xF3: length = 4; low = 0x80; high = 0xBF
        case 0xF4: length = 4; low = 0x80; high = 0x8F          // at most U+10FFFF
        default: return nil
        }
        guard i + length <= s.count, (low...high).contains(s[i + 1]) else { return nil }
        var scalar = UInt32(b0) & (0xFF >> (length + 1))
        for k in 1..<length {
            let c = s[i + k]
            guard c & 0xC0 == 0x80 else { return nil }
            scalar = scalar << 6 | UInt32(c & 0x3F)
        }
        return (scalar, length)
    }

    /// The non-ASCII characters Python's `str.split()` treats as whitespace.
    static func isUnicodeSpace(_ c: UInt32) -> Bool {
        switch c {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    private static func hex(_ b: UInt8) -> String {
        "0x" + (b < 16 ? "0" : "") + String(b, radix: 16)
    }
}
