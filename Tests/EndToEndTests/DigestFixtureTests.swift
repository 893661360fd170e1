// Refactors prove themselves by leaving recorded state digests unchanged: tiny searches (softmax
// and CRB, first and second order, proximity and ADMM) on synthetic CIFAR-format data and on
// Fashion-MNIST, a tiny DARTS_V2 evaluation with drop path, and tiny Penn Treebank searches on
// the real valid/test files (a 10 000-word vocabulary, so the decoder's GEMMs are split into
// blocks as at the paper's size), run through the built binary, must reproduce the per-step state
// digests in Fixtures/state_digests.json bit for bit.
//
// The binary pins OpenBLAS's Haswell kernels itself (DartsCore/BLAS/OpenBLAS.swift), so the
// children run in the caller's environment (KernelPinEndToEndTests varies it). DARTSPRIME_RECORD_DIGESTS=1 rewrites the fixture (deliberately only: a
// numerics change must say so in its commit).
import Foundation
import Testing

/// What a recorded search reads.
enum DigestData: Sendable {
    /// CIFAR-format files written by `writeSyntheticCIFAR`.
    case syntheticCIFAR
    /// Debian's dataset-fashion-mnist (`make deps` installs it).
    case fashionMNIST
    /// ../shared/data/ptb's valid and test files (`--ptb-layout valid-as-train`).
    case pennTreebank
}

/// One recorded run: a name, its data, the command (`search`, or `evaluate` of a genotype) and
/// its flags after `--profile tiny`.
struct DigestCase: Sendable, CustomStringConvertible {
    var name: String
    var data: DigestData
    var command = "search"
    var flags: [String]
    var description: String { name }

    init(name: String, synthetic: Bool, flags: [String]) {
        self.init(name: name, data: synthetic ? .syntheticCIFAR : .fashionMNIST, flags: flags)
    }

    init(name: String, data: DigestData, command: String = "search", flags: [String]) {
        self.name = name; self.data = data; self.command = command; self.flags = flags
    }
}

enum DigestFixture {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/state_digests.json")
    static let fashionMNIST = "/usr/share/datasets/fashion-mnist"
    /// `../shared/data/ptb` next to the repository (this file is three levels down).
    static let pennTreebank = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/ptb")
    static let environment: [String: String] = [:]

    static let cases: [DigestCase] = [
        DigestCase(name: "synthetic-darts", synthetic: true, flags: ["--method", "darts"]),
        DigestCase(name: "synthetic-prime", synthetic: true, flags: ["--method", "prime"]),
        DigestCase(name: "synthetic-prime+crb", synthetic: true, flags: ["--method", "prime+crb"]),
        DigestCase(name: "synthetic-fimt+admm", synthetic: true, flags: ["--method", "fimt+admm"]),
        DigestCase(name: "synthetic-darts-second-order", synthetic: true, flags: ["--method", "darts", "--second-order"]),
        DigestCase(name: "synthetic-darts+crb-second-order", synthetic: true, flags: ["--method", "darts+crb", "--second-order"]),
        DigestCase(name: "fashion-mnist-prime", synthetic: false, flags: ["--method", "prime"]),
        DigestCase(name: "fashion-mnist-darts+crb", synthetic: false, flags: ["--method", "darts+crb"]),
        DigestCase(name: "fashion-mnist-darts-second-order", synthetic: false, flags: ["--method", "darts", "--second-order"]),
        DigestCase(name: "ptb-prime", data: .pennTreebank, flags: ["--method", "prime"]),
        DigestCase(name: "ptb-darts+crb-second-order", data: .pennTreebank, flags: ["--method", "darts+crb", "--second-order"]),
        // The evaluation network with drop path (ramped to 0.3, so later epochs drop samples), the
        // auxiliary head and cutout: recorded at b7bd871, equal to 54add83's run step for step.
        DigestCase(name: "synthetic-evaluate-darts-v2", data: .syntheticCIFAR, command: "evaluate",
                   flags: ["--genotype", dartsV2, "--drop-path", "0.3", "--epochs", "3"]),
    ]

    /// DARTS_V2 (Liu et al. 2019, the paper's evaluated cell) in DARTS syntax.
    static let dartsV2 = """
        Genotype(normal=[("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1), \
        ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)], normal_concat=[2, 3, 4, 5], \
        reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1), ("max_pool_3x3", 0), \
        ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)], reduce_concat=[2, 3, 4, 5])
        """

    /// Five CIFAR-10 training batches of 20 records each and a test batch of 40 (label byte + 3072 pixel bytes) from a
    /// fixed linear congruential sequence: the same files on every machine.
    static func writeSyntheticCIFAR(into dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var state: UInt32 = 12345
        func next() -> UInt8 {
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        for b in 1...5 {
            var bytes: [UInt8] = []
            for _ in 0..<20 {
                bytes.append(next() % 10)
                for _ in 0..<3072 { bytes.append(next()) }
            }
            try Data(bytes).write(to: dir.appendingPathComponent("data_batch_\(b).bin"))
        }
        // A test split for evaluations (appended after the training batches' draws, so those stay as recorded).
        var test: [UInt8] = []
        for _ in 0..<40 {
            test.append(next() % 10)
            for _ in 0..<3072 { test.append(next()) }
        }
        try Data(test).write(to: dir.appendingPathComponent("test_batch.bin"))
    }

    /// Runs the case's search or evaluation and returns the `state_digest` column of its history for steps
    /// ≥ 1 (the recorded steps; step 0, the initial state, is checked by `stepZeroIsStable`).
    static func digests(_ c: DigestCase, exe: URL, scratch dir: URL, extra: [String] = [],
                        environment variables: [String: String] = [:]) throws -> [String] {
        try digestsByStep(c, exe: exe, scratch: dir, extra: extra, environment: variables).filter { $0.step >= 1 }.map(\.digest)
    }

    /// The `step` and `state_digest` columns of the case's search history.
    static func digestsByStep(_ c: DigestCase, exe: URL, scratch dir: URL, extra: [String] = [],
                              environment variables: [String: String] = [:]) throws -> [(step: Int, digest: String)] {
        var args = [c.command, "--profile", "tiny", "--seed", "101", "--run", dir.appendingPathComponent(c.name).path]
        switch c.data {
        case .syntheticCIFAR:
            let data = dir.appendingPathComponent("cifar")
            if !FileManager.default.fileExists(atPath: data.path) { try writeSyntheticCIFAR(into: data) }
            args += ["--dataset", "cifar10", "--data", data.path]
        case .fashionMNIST:
            args += ["--dataset", "fashion-mnist"]
        case .pennTreebank:
            args += ["--dataset", "ptb", "--data", pennTreebank.path, "--ptb-layout", "valid-as-train"]
        }
        let r = try execute(exe, args + c.flags + extra, environment: environment.merging(variables) { $1 })
        guard r.status == 0 else { throw DigestFixtureError.failed("\(c.name): search exited \(r.status): \(r.err)") }
        let h = try execute(exe, ["export", dir.appendingPathComponent(c.name).path, "history", "--format", "csv"])
        let lines = h.out.split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",").map(String.init),
              let column = header.firstIndex(of: "state_digest"), header.first == "step" else {
            throw DigestFixtureError.failed("\(c.name): export printed no step and state_digest columns")
        }
        return try lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard let step = Int(cells[0]) else { throw DigestFixtureError.failed("\(c.name): bad step cell in \(line)") }
            return (step, cells[column])
        }
    }

    static func recorded() throws -> [String: [String]] {
        let data = try Data(contentsOf: file)
        return try JSONDecoder().decode([String: [String]].self, from: data)
    }
}

enum DigestFixtureError: Error, CustomStringConvertible {
    case failed(String)
    var description: String { if case let .failed(m) = self { return m } else { return "" } }
}

@Suite("Recorded state digests", .serialized)
struct DigestFixtureTests {
    @Test("tiny searches and an evaluation reproduce their recorded per-step state digests", arguments: DigestFixture.cases)
    func digestsUnchanged(_ c: DigestCase) throws {
        if c.data == .fashionMNIST && !FileManager.default.fileExists(atPath: DigestFixture.fashionMNIST) {
            print("skipping \(c.name): Fashion-MNIST is not installed at \(DigestFixture.fashionMNIST) (make deps installs it)")
            return
        }
        if c.data == .pennTreebank && !FileManager.default.fileExists(atPath: DigestFixture.pennTreebank.appendingPathComponent("ptb.valid.txt").path) {
            print("skipping \(c.name): no Penn Treebank files in \(DigestFixture.pennTreebank.path)")
            return
        }
        let exe = try dartsprimeBinary()
        let dir = scratch("digests-\(c.name)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let got = try DigestFixture.digests(c, exe: exe, scratch: dir)
        #expect(got.count >= 10 && Set(got).count == got.count, "\(c.name): \(got.count) digests")
        if ProcessInfo.processInfo.environment["DARTSPRIME_RECORD_DIGESTS"] == "1" {
            RecordLock.lock.withLock {
                var all = (try? DigestFixture.recorded()) ?? [:]
                all[c.name] = got
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                try? e.encode(all).write(to: DigestFixture.file)
            }
            return
        }
        let expected = try #require(try DigestFixture.recorded()[c.name], "no recorded digests for \(c.name)")
        #expect(got.count == expected.count, "\(c.name): \(got.count) steps, recorded \(expected.count)")
        let first = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(first == nil, "\(c.name): first differing step \(first.map { $0 + 1 } ?? 0)")
    }
}

/// Step 0 (the initial state, committed when a run is created) is not in the recorded fixture:
/// its digest must be the same in two runs of one configuration and differ for another seed.
@Suite("Step 0 state digest", .serialized)
struct StepZeroDigestTests {
    @Test func stepZeroIsStable() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("digests-step0")
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = DigestFixture.cases[1]  // synthetic-prime
        func stepZero(_ tag: String, _ extra: [String]) throws -> [(step: Int, digest: String)] {
            try DigestFixture.digestsByStep(c, exe: exe, scratch: dir.appendingPathComponent(tag), extra: ["--max-steps", "0"] + extra)
        }
        let first = try stepZero("a", []), second = try stepZero("b", [])
        #expect(first.map(\.step) == [0] && second.map(\.step) == [0])
        #expect(first.first?.digest == second.first?.digest && first.first?.digest.count == 64)
        // Negative control: another seed's initial weights give another digest.
        let other = try stepZero("c", ["--seed", "102"])
        #expect(other.first?.digest != first.first?.digest)
    }
}

enum RecordLock { static let lock = NSLock() }
