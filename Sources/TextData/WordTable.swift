// The dictionary under construction: distinct words as byte ranges of one buffer, found through
// an open-addressing hash table, so tokenizing a million words allocates nothing per word.

/// Assigns each distinct byte string the next index in order of first appearance.
struct WordTable {
    /// The distinct words back to back; word k is `bytes[starts[k]..<starts[k + 1]]`.
    private(set) var bytes: [UInt8] = []
    private(set) var starts: [Int] = [0]
    /// Word index + 1 per slot (0: empty); the capacity is a power of two, kept at most half full.
    private var slots: [Int32] = [Int32](repeating: 0, count: 1 << 14)
    private var hashes: [UInt64] = []

    var count: Int { starts.count - 1 }

    /// The index of `word`, adding it when it is new.
    mutating func index(of word: UnsafeBufferPointer<UInt8>) -> Int {
        let h = Self.hash(word)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { break }
            if hashes[entry - 1] == h && matches(entry - 1, word) { return entry - 1 }
            slot = (slot &+ 1) & mask
        }
        let index = count
        slots[slot] = Int32(index + 1)
        hashes.append(h)
        bytes.append(contentsOf: word)
        starts.append(bytes.count)
        if 2 * count > slots.count { grow() }
        return index
    }

    /// Every word as a String, in index order (done once, after tokenizing).
    var words: [String] {
        (0..<count).map { k in String(decoding: bytes[starts[k]..<starts[k + 1]], as: UTF8.self) }
    }

    private func matches(_ k: Int, _ word: UnsafeBufferPointer<UInt8>) -> Bool {
        let lo = starts[k], n = starts[k + 1] - lo
        guard n == word.count else { return false }
        return bytes.withUnsafeBufferPointer { all in
            n == 0 || memcmp(all.baseAddress! + lo, word.baseAddress!, n) == 0
        }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for (k, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while bigger[slot] != 0 { slot = (slot &+ 1) & mask }
            bigger[slot] = Int32(k + 1)
        }
        slots = bigger
    }

    /// FNV-1a, 64-bit: short words, no seed needed (the table's order never depends on it).
    private static func hash(_ word: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in word { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
