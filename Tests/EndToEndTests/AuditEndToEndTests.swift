// `dartsprime audit` as a user runs it: the seed records in seeds/ reproduce; a record whose
// state digest, tensor digest or configuration was edited, and a search forced onto another
// OpenBLAS kernel family (bypassing the pin), each fail at the right step naming the key, the
// edit or the environment difference; a stored run's slice re-executes to its recorded
// digests, and a planted tensor or an edited run.json is found.

import Foundation
import Testing
import RunStore

private let repositorySeeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("seeds")
private let fashionMNISTInstalled = FileManager.default.fileExists(atPath: DigestFixture.fashionMNIST)
private let cpuHasAVX512 = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
    .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").contains("avx512f") ?? false

@Suite(.serialized) struct AuditEndToEnd {
    static func lastLine(_ s: String) -> String { s.split(separator: "\n").last.map(String.init) ?? "" }

    /// A folder holding one record, a copy of seeds/`name`.json passed through `edit`.
    static func editedRecord(_ name: String, in dir: URL, _ edit: (inout [String: Any]) throws -> Void) throws -> URL {
        let folder = dir.appendingPathComponent("seeds-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let data = try Data(contentsOf: repositorySeeds.appendingPathComponent("\(name).json"))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        try edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: folder.appendingPathComponent("\(name).json"))
        return folder
    }

    @Test(.enabled(if: fashionMNISTInstalled, "Fashion-MNIST is not installed (make deps installs it): the seed records cannot be re-run"))
    func seedRecordsReproduce() throws {
        let exe = try dartsprimeBinary()
        let names = try FileManager.default.contentsOfDirectory(atPath: repositorySeeds.path).filter { $0.hasSuffix(".json") }
        #expect(names.count == 8, "seeds/ should hold 101–104 × darts, prime: \(names)")
        let r = try execute(exe, ["audit", "--seeds", repositorySeeds.path])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(Self.lastLine(r.out) == "audit: 8 of 8 match", "\(r.out)")
        for seed in 101...104 { for method in ["darts", "prime"] {
            #expect(r.out.contains("\(seed)-\(method): match (steps 0…"), "\(seed)-\(method): \(r.out)")
        } }
    }

    @Test(.enabled(if: fashionMNISTInstalled, "Fashion-MNIST is not installed (make deps installs it): the seed records cannot be re-run"))
    func editedRecordsFailAtTheEditedStep() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("audit-records")
        defer { try? FileManager.default.removeItem(at: dir) }

        // The whole-state digest of step 5.
        let digest = try Self.editedRecord("101-prime", in: dir) { o in
            var steps = o["steps"] as! [[String: Any]]
            steps[5]["state_digest"] = String(repeating: "0", count: 64)
            o["steps"] = steps
        }
        let d = try execute(exe, ["audit", "--seeds", digest.path, "--steps", "8"])
        #expect(d.status == 1 && d.err.split(separator: "\n").allSatisfy { !$0.hasPrefix("error:") }, "\(d.out)\(d.err)")
        #expect(d.out.contains("101-prime: MISMATCH at step 5 (steps 0…4 match)"), "\(d.out)")
        #expect(d.out.contains("the record's state digest of step 5 was altered"), "\(d.out)")
        #expect(Self.lastLine(d.out) == "audit: 1 of 1 differ (101-prime at step 5)")

        // One tensor's digest at step 3: found by key although the state digest is intact.
        let key = "model/alphas_normal"
        let tensor = try Self.editedRecord("101-prime", in: dir) { o in
            let keys = o["tensor_keys"] as! [String]
            let index = try #require(keys.firstIndex(of: key))
            var steps = o["steps"] as! [[String: Any]]
            var text = Array((steps[3]["tensors"] as! String).utf8)
            for i in index * 8 ..< index * 8 + 8 { text[i] = text[i] == UInt8(ascii: "f") ? UInt8(ascii: "e") : UInt8(ascii: "f") }
            steps[3]["tensors"] = String(decoding: text, as: UTF8.self)
            o["steps"] = steps
        }
        let t = try execute(exe, ["audit", "--seeds", tensor.path, "--steps", "8"])
        #expect(t.status == 1, "\(t.out)\(t.err)")
        #expect(t.out.contains("MISMATCH at step 3"), "\(t.out)")
        #expect(t.out.contains("first differing tensor: arrays/\(key): digests differ"), "\(t.out)")

        // A configuration value: the learning rate (the SGD state of step 0 holds it).
        let config = try Self.editedRecord("101-darts", in: dir) { o in
            o["configuration_json"] = (o["configuration_json"] as! String).replacingOccurrences(of: "\"learningRate\":0.025", with: "\"learningRate\":0.05")
        }
        let c = try execute(exe, ["audit", "--seeds", config.path, "--steps", "4"])
        #expect(c.status == 1, "\(c.out)\(c.err)")
        #expect(c.out.contains("101-darts: MISMATCH at step 0 (the first step compared)"), "\(c.out)")
        #expect(c.out.contains("configuration_json was edited after recording"), "\(c.out)")

        // Negative control of the unedited copy: the same route matches.
        let plain = try Self.editedRecord("101-darts", in: dir) { _ in }
        let p = try execute(exe, ["audit", "--seeds", plain.path, "--steps", "4"])
        #expect(p.status == 0 && Self.lastLine(p.out) == "audit: 1 of 1 match", "\(p.out)\(p.err)")
    }

    @Test(.enabled(if: fashionMNISTInstalled && cpuHasAVX512, "needs Fashion-MNIST and an AVX-512 CPU (the other kernel family)"))
    func anotherKernelFamilyIsFoundAndExplained() throws {
        let exe = try dartsprimeBinary()
        let r = try execute(exe, ["audit", "--seeds", repositorySeeds.path, "--only", "102-prime", "--steps", "3"],
                            environment: ["DARTSPRIME_OPENBLAS_CORETYPE": "SkylakeX"])
        #expect(r.status == 1, "\(r.out)\(r.err)")
        #expect(r.out.contains("102-prime: MISMATCH at step 1"), "\(r.out)")
        #expect(r.out.contains("first differing tensor: arrays/"), "\(r.out)")
        #expect(r.out.contains("environment differences that could explain it:"), "\(r.out)")
        #expect(r.out.contains("openblas_core: Haswell → SkylakeX"), "\(r.out)")
    }

    @Test func runSlicesReexecuteAndPlantedChangesAreFound() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("audit-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try AnalysisEndToEnd.search(exe, dir, "run")
        let whole = try execute(exe, ["audit", "--run", run.path])
        #expect(whole.status == 0 && whole.out.contains("match (steps 0…20)"), "\(whole.out)\(whole.err)")
        let before = try snapshot(run)
        let slice = try execute(exe, ["audit", "--run", run.path, "--from-step", "10", "--steps", "3"])
        #expect(slice.status == 0 && slice.out.contains("match (steps 10…13)"), "\(slice.out)\(slice.err)")
        #expect(try snapshot(run) == before, "audit wrote into the run")

        // A tensor planted at step 12 of a copy: re-executing from step 10 finds it at 12.
        let planted = dir.appendingPathComponent("planted")
        try AnalysisEndToEnd.copy(run, to: planted, planting: 12) { c in
            guard case .float32(var v)? = c.arrays["model/alphas_normal"]?.data else { return }
            v[3] += 0.5
            c.arrays["model/alphas_normal"] = .float32(shape: c.arrays["model/alphas_normal"]!.shape, v)
        }
        let p = try execute(exe, ["audit", "--run", planted.path, "--from-step", "10"])
        #expect(p.status == 1, "\(p.out)\(p.err)")
        #expect(p.out.contains("MISMATCH at step 12 (steps 10…11 match)"), "\(p.out)")
        #expect(p.out.contains("first differing tensor: arrays/model/alphas_normal: 1 of 112 elements differ, max abs 0.5"), "\(p.out)")
        #expect(Self.lastLine(p.out).hasPrefix("audit: 1 of 1 differ"))

        // An edited run.json: the configuration no longer matches what the steps were made with.
        let edited = dir.appendingPathComponent("edited")
        try FileManager.default.copyItem(at: run, to: edited)
        let manifest = edited.appendingPathComponent("run.json")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "\\\"learningRate\\\":0.025", with: "\\\"learningRate\\\":0.05").write(to: manifest, atomically: true, encoding: .utf8)
        let e = try execute(exe, ["audit", "--run", edited.path, "--from-step", "10", "--steps", "3"])
        #expect(e.status == 1, "\(e.out)\(e.err)")
        #expect(e.out.contains("MISMATCH at step 10 (the first step compared)"), "\(e.out)")
        #expect(e.out.contains("run.json's configuration differs from the one step 10's checkpoint was written with: learningRate 0.025 → 0.05"), "\(e.out)")
    }

    @Test func badAuditInputsAreOneLine() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("audit-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("{\"format\":".utf8).write(to: dir.appendingPathComponent("101-prime.json"))
        for (args, status, needle) in [
            (["audit", "--seeds", dir.path], Int32(1), "101-prime.json is not a seed record"),
            (["audit", "--seeds", dir.appendingPathComponent("missing").path], 1, "missing is not a readable folder"),
            (["audit", "--run", dir.path, "--steps", "0"], 64, "--steps must be at least 1"),
            (["audit", "--from-step", "3"], 64, "--from-step needs --run"),
            (["audit", "--run", dir.appendingPathComponent("none").path], 1, "none"),
        ] {
            let r = try execute(exe, args)
            #expect(r.status == status, "\(args): \(r.status) \(r.err)")
            let lines = r.err.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error:") && lines[0].contains(needle), "\(args): \(r.err)")
        }
    }
}

/// Every file under `dir` with its bytes.
private func snapshot(_ dir: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)
    while let u = e?.nextObject() as? URL {
        if let d = FileManager.default.contents(atPath: u.path), !u.hasDirectoryPath { out[u.path] = d }
    }
    return out
}
