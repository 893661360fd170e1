// The supernet's initial weights and α, drawn from one caller-owned generator in creation order,
// are pinned bit for bit: the digests below were recorded before the layers moved to DartsNN
// (issue 10), so any change to the draw order, a fan-in or a shape fails here first, with the
// tensor at fault named by the structural test beside it.

import Testing
@testable import Search
import DartsCore
import DartsNN

/// FNV-1a over every stored tensor's name, shape and Float bit patterns, in `namedTensors` order.
func initialisationDigest(_ tensors: [Parameter]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ v: UInt64) { h = (h ^ v) &* 0x0000_0100_0000_01b3 }
    for p in tensors {
        for b in p.name.utf8 { mix(UInt64(b)) }
        for d in p.shape { mix(UInt64(d)) }
        p.value.withUnsafeBufferPointer { for v in $0 { mix(UInt64(v.bitPattern)) } }
    }
    return h
}

struct InitialisationCase: Sendable, CustomStringConvertible {
    var configuration: SupernetConfiguration
    var seed: UInt64
    /// Recorded at 84e82a0 (before the refactor): digest of `namedTensors`, generator state after.
    var digest: UInt64
    var stateAfter: [UInt64]
    var description: String {
        "C\(configuration.channels) L\(configuration.layers) in\(configuration.inputChannels) \(configuration.activation)"
    }
}

let initialisationCases: [InitialisationCase] = [
    InitialisationCase(configuration: SupernetConfiguration(channels: 4, layers: 3, classes: 10, inputChannels: 3, activation: .softmax),
                       seed: 101, digest: 16652756970278513907, stateAfter: [101, 18432, 0, 2]),
    InitialisationCase(configuration: SupernetConfiguration(channels: 4, layers: 3, classes: 10, inputChannels: 3, activation: .crb),
                       seed: 101, digest: 11078407552904054581, stateAfter: [101, 18404, 0, 2]),
    InitialisationCase(configuration: SupernetConfiguration(channels: 2, layers: 5, classes: 7, inputChannels: 1, activation: .softmax),
                       seed: 7, digest: 3756314980726305707, stateAfter: [7, 13386, 0, 1]),
    InitialisationCase(configuration: SupernetConfiguration(channels: 2, layers: 5, classes: 7, inputChannels: 1, activation: .crb),
                       seed: 7, digest: 5515529090477079774, stateAfter: [7, 13358, 0, 1]),
]

@Suite("Supernet initialisation")
struct SupernetInitialisationTests {
    @Test("initial weights, buffers and α equal those recorded before the refactor", arguments: initialisationCases)
    func recordedDigest(_ c: InitialisationCase) {
        var rng = PhiloxRandom(seed: c.seed)
        let net = Supernet(c.configuration, rng: &rng)
        let digest = initialisationDigest(net.namedTensors)
        #expect(digest == c.digest, "\(c): digest \(digest)")
        #expect(rng.stateWords == c.stateAfter, "\(c): generator state after \(rng.stateWords)")
    }
}
