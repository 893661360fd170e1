// Counter-based random numbers (Philox4x32-10, Salmon et al. 2011).
//
// The whole generator state is three integers (key, counter, lane), so it can be written to a
// checkpoint and restored exactly; two generators with different `stream`s never overlap.

/// A Philox4x32-10 generator whose complete state is `key`, `counter` and `lane`.
public struct PhiloxRandom: RandomNumberGenerator, Codable, Equatable, Hashable, Sendable {
    /// The 64-bit key (the seed).
    public var key: UInt64
    /// Low 64 bits of the block counter; each block yields four 32-bit words.
    public var counter: UInt64
    /// High 64 bits of the block counter: independent streams for one seed.
    public var stream: UInt64
    /// Next unused word (0...3) of the current block; 4 means "start a new block".
    public var lane: UInt8

    public init(seed: UInt64, stream: UInt64 = 0) {
        self.key = seed
        self.counter = 0
        self.stream = stream
        self.lane = 4
    }

    /// Restores a generator from the integers returned by `stateWords`.
    public init(stateWords w: [UInt64]) {
        precondition(w.count == 4, "Philox state has 4 words, got \(w.count)")
        key = w[0]; counter = w[1]; stream = w[2]; lane = UInt8(truncatingIfNeeded: w[3])
    }

    /// The complete state as four integers: key, counter, stream, lane.
    public var stateWords: [UInt64] { [key, counter, stream, UInt64(lane)] }

    // MARK: - Core block function

    /// The four output words of block `counter` (the counter that produced the current lane is
    /// `counter - 1` once a block has been started).
    @inline(__always)
    static func block(key: UInt64, counter: UInt64, stream: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        var c0 = UInt32(truncatingIfNeeded: counter)
        var c1 = UInt32(truncatingIfNeeded: counter >> 32)
        var c2 = UInt32(truncatingIfNeeded: stream)
        var c3 = UInt32(truncatingIfNeeded: stream >> 32)
        var k0 = UInt32(truncatingIfNeeded: key)
        var k1 = UInt32(truncatingIfNeeded: key >> 32)
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            c0 = hi1 ^ c1 ^ k0
            c1 = lo1
            c2 = hi0 ^ c3 ^ k1
            c3 = lo0
            k0 = k0 &+ 0x9E37_79B9
            k1 = k1 &+ 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }

    // MARK: - Raw words

    public mutating func nextUInt32() -> UInt32 {
        if lane >= 4 { lane = 0; counter &+= 1 }
        let b = Self.block(key: key, counter: counter &- 1, stream: stream)
        let word: UInt32
        switch lane {
        case 0: word = b.0
        case 1: word = b.1
        case 2: word = b.2
        default: word = b.3
        }
        lane += 1
        return word
    }

    public mutating func next() -> UInt64 {
        let lo = UInt64(nextUInt32())
        let hi = UInt64(nextUInt32())
        return (hi << 32) | lo
    }

    // MARK: - Distributions

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUniformFloat() -> Float {
        Float(nextUInt32() >> 8) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUniformDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal by Box–Muller (one sample per two uniforms, nothing cached, so the state
    /// stays three integers).
    public mutating func nextNormal() -> Double {
        let u1 = 1.0 - nextUniformDouble()  // (0, 1]: log is finite
        let u2 = nextUniformDouble()
        return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2)
    }

    /// Unbiased integer in 0..<n (Lemire's multiply-shift with rejection).
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0, "nextInt(below:) needs a positive bound, got \(n)")
        let bound = UInt64(n)
        while true {
            let x = next()
            let m = x.multipliedFullWidth(by: bound)
            if m.low >= (0 &- bound) % bound { return Int(m.high) }
        }
    }

    /// `count` floats uniform in [low, high).
    public mutating func uniform(count: Int, low: Float, high: Float) -> [Float] {
        (0..<count).map { _ in low + (high - low) * nextUniformFloat() }
    }

    /// `count` floats from N(mean, std²).
    public mutating func normal(count: Int, mean: Float = 0, std: Float = 1) -> [Float] {
        (0..<count).map { _ in mean + std * Float(nextNormal()) }
    }

    /// Bernoulli mask: 1 with probability `keep`, else 0.
    public mutating func bernoulliMask(count: Int, keep: Double) -> [Float] {
        (0..<count).map { _ in nextUniformDouble() < keep ? 1 : 0 }
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            p.swapAt(i, j)
        }
        return p
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
