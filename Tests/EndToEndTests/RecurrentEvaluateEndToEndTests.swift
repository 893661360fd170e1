// `dartsprime evaluate --dataset ptb` as a user runs it, on the real valid and test files
// (../shared/data/ptb, valid-as-train: no train file on these machines) with DARTS_V2's
// recurrent cell at the tiny profile: it finishes with perplexities below the uniform model's
// (the vocabulary, 7 596 words over valid and test), SIGKILL mid-epoch and SIGTERM (exit 75)
// then `resume` give the uninterrupted run's digests, another seed does not, and bad inputs are
// one-line errors that create nothing.

import Foundation
import Testing

private let ptb = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/ptb")
private let dartsV2 = "Genotype(recurrent=[('sigmoid', 0), ('relu', 1), ('relu', 1), ('identity', 1), ('tanh', 2), ('sigmoid', 5), ('tanh', 3), ('relu', 5)], concat=range(1, 9))"

@Suite(.serialized, .enabled(if: FileManager.default.fileExists(atPath: ptb.appendingPathComponent("ptb.test.txt").path)))
struct RecurrentEvaluateEndToEnd {
    static func arguments(_ run: URL, seed: Int = 101) -> [String] {
        ["evaluate", "--genotype", dartsV2, "--dataset", "ptb", "--data", ptb.path, "--ptb-layout", "valid-as-train",
         "--profile", "tiny", "--epochs", "3", "--asgd-epoch", "1", "--seed", "\(seed)", "--run", run.path]
    }

    /// A value of `key=value` in the last stdout line.
    static func field(_ line: String, _ key: String) -> Double? {
        line.split(separator: " ").first { $0.hasPrefix(key + "=") }.flatMap { Double($0.dropFirst(key.count + 1)) }
    }

    @Test func tinyEvaluationFinishesAndResumesBitExactly() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("evaluate-ptb")
        defer { try? FileManager.default.removeItem(at: dir) }
        let straight = dir.appendingPathComponent("straight")
        let r = try execute(exe, Self.arguments(straight))
        #expect(r.status == 0, "\(r.err)")
        let last = try #require(r.out.split(separator: "\n").last.map(String.init))
        let valid = try #require(Self.field(last, "valid_ppl"), "\(last)")
        let test = try #require(Self.field(last, "test_ppl"), "\(last)")
        #expect(Self.field(last, "params_m") != nil && Self.field(last, "wall_s") != nil, "\(last)")
        // Below the uniform model's perplexity, the vocabulary size (7 596 words in valid + test);
        // measured: valid_ppl=1313.29 test_ppl=1506.91 (3 epochs of 20 batches, 16 hidden units).
        #expect(valid < 7596 && test < 7596, "\(last)")
        #expect(r.err.contains("switching to averaged SGD after epoch 1"), "\(r.err)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: straight.appendingPathComponent("run.json"))) as? [String: Any]
        #expect(manifest?["run_kind"] as? String == "rnn-evaluation")
        let evaluation = try JSONSerialization.jsonObject(with: Data(contentsOf: straight.appendingPathComponent("evaluation.json"))) as? [String: Any]
        #expect(evaluation?["test_ppl"] as? Double == test || abs((evaluation?["test_ppl"] as? Double ?? 0) - test) < 0.01)
        #expect(evaluation?["averaged_sgd"] as? Bool == true && evaluation?["vocabulary"] as? Int == 7596)
        #expect(evaluation?["wall_seconds"] as? Double != nil)
        #expect(try execute(exe, ["verify", straight.path]).status == 0)

        let reference = try EvaluateEndToEnd.historyDigests(exe, straight)
        #expect(reference.count == 61)  // steps 0…60: 3 epochs of 20 batches
        for (trial, sig) in [SIGKILL, SIGTERM].enumerated() {
            let run = dir.appendingPathComponent("interrupted-\(trial)")
            let p = Process()
            p.executableURL = exe
            p.arguments = Self.arguments(run)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let deadline = Date().addingTimeInterval(60)
            let target = 25 + 10 * trial  // inside epoch 2, after the switch
            while Date() < deadline && p.isRunning {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)) ?? []
                if names.contains(where: { $0.hasPrefix("step-") && (Int($0.dropFirst(5).dropLast(3)) ?? 0) >= target }) { break }
                usleep(1_000)
            }
            kill(p.processIdentifier, sig)
            p.waitUntilExit()
            if sig == SIGTERM { #expect(p.terminationStatus == 75, "SIGTERM status \(p.terminationStatus)") }
            let partial = try EvaluateEndToEnd.historyDigests(exe, run)
            #expect(partial.count < reference.count, "trial \(trial): the run finished before the signal")
            let resumed = try execute(exe, ["resume", run.path])
            #expect(resumed.status == 0, "\(resumed.err)")
            #expect(resumed.out.contains("test_ppl="), "\(resumed.out)")
            #expect(try EvaluateEndToEnd.historyDigests(exe, run) == reference, "trial \(trial)")
        }
        // A fork of a kept mid-epoch step (tiny keeps every 5th) continues to the same digests;
        // inspect knows the run's total.
        let fork = dir.appendingPathComponent("fork")
        let forked = try execute(exe, ["resume", straight.path, "--from-step", "25", "--into", fork.path])
        #expect(forked.status == 0, "\(forked.err)")
        #expect(try EvaluateEndToEnd.historyDigests(exe, fork) == reference)
        #expect(try execute(exe, ["inspect", straight.path]).out.contains("of 60 in all"))

        // Negative control: another seed gives other states from step 0 on.
        let other = dir.appendingPathComponent("other-seed")
        #expect(try execute(exe, Self.arguments(other, seed: 102) + ["--max-steps", "3"]).status == 0)
        let otherDigests = try EvaluateEndToEnd.historyDigests(exe, other)
        #expect(otherDigests.count == 4 && zip(otherDigests, reference).allSatisfy { $0 != $1 })

        // evaluate RUN for ptb refuses a run that is not a search on text, in one line.
        let fromRun = try execute(exe, ["evaluate", straight.path, "--dataset", "ptb", "--data", ptb.path,
                                        "--run", dir.appendingPathComponent("from-run").path])
        #expect(fromRun.status == 1 && fromRun.err.split(separator: "\n").count == 1
                && fromRun.err.contains("rnn-evaluation"), "\(fromRun.err)")
    }

    @Test func badInputsAreOneLine() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("evaluate-ptb-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cnn = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))"
        let cases: [(args: [String], status: Int32, mentions: String)] = [
            (["--genotype", cnn, "--dataset", "ptb", "--data", ptb.path, "--ptb-layout", "valid-as-train"], 64, "recurrent"),
            (["--genotype", dartsV2.replacingOccurrences(of: "'relu', 5", with: "'relu', 9"), "--dataset", "ptb", "--data", ptb.path,
              "--ptb-layout", "valid-as-train"], 64, "--genotype"),
            (["--genotype", dartsV2, "--dataset", "ptb", "--data", dir.appendingPathComponent("nowhere").path], 1, "nowhere"),
            // The standard layout, and no train file here: the flag that trains without it.
            (["--genotype", dartsV2, "--dataset", "ptb", "--data", ptb.path], 64, "ptb.train.txt: file not found; without the train file pass --ptb-layout valid-as-train"),
            (["--genotype", dartsV2, "--dataset", "ptb"], 64, "--data"),
            (["--genotype", dartsV2, "--dataset", "ptb", "--data", ptb.path, "--cutout", "8"], 64, "--cutout"),
            (["--genotype", dartsV2, "--dataset", "cifar10", "--nhid", "8"], 64, "--dataset ptb"),
            (["--genotype", dartsV2, "--dataset", "ptb", "--data", ptb.path, "--ptb-layout", "valid-as-train", "--dropoute", "1"], 64, "--dropoute"),
            (["--genotype", dartsV2, "--dataset", "ptb", "--data", ptb.path, "--ptb-layout", "valid-as-train", "--nhid", "3000000"], 64, "estimated"),
        ]
        for (i, c) in cases.enumerated() {
            let run = dir.appendingPathComponent("run-\(i)")
            let r = try execute(exe, ["evaluate"] + c.args + ["--profile", "tiny", "--run", run.path])
            let lines = r.err.split(separator: "\n")
            #expect(r.status == c.status && lines.count == 1 && lines.first?.hasPrefix("error:") == true
                    && r.err.contains(c.mentions), "case \(i): status \(r.status): \(r.err)")
            #expect(!FileManager.default.fileExists(atPath: run.path), "case \(i) created \(run.path)")
        }
    }
}
