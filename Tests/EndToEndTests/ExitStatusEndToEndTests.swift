// The documented exit statuses as a shell sees them: for search, resume, export, verify and
// bench, a bad flag value exits 64 and a bad or missing file exits 1, each with exactly one
// `error: …` line on stderr that names the flag or the file. (0 for a finished run and 75 after
// SIGTERM: SearchEndToEndTests.)
import Foundation
import Testing

/// One failing command line, the status it must give, and what its one line must name.
struct FailureCase: Sendable, CustomStringConvertible {
    var arguments: [String]
    var status: Int32
    var names: String
    var description: String { arguments.joined(separator: " ") }
}

private let missing = "/nonexistent/dartsprime-run"

@Suite struct ExitStatusEndToEnd {
    static let cases: [FailureCase] = [
        // search
        FailureCase(arguments: ["search", "--init-channels", "x"], status: 64, names: "--init-channels"),
        FailureCase(arguments: ["search", "--bogus-flag"], status: 64, names: "--bogus-flag"),
        FailureCase(arguments: ["search", "--profile", "tiny", "--layers", "2", "--run", missing], status: 64, names: "--layers"),
        FailureCase(arguments: ["search", "--profile", "tiny", "--method", "bogus", "--run", missing], status: 64, names: "--method"),
        FailureCase(arguments: ["search", "--profile", "tiny", "--subset", "some"], status: 64, names: "--subset"),
        FailureCase(arguments: ["search", "--profile", "tiny", "--dataset", "cifar100", "--run", missing], status: 64, names: "--data"),
        FailureCase(arguments: ["search", "--profile", "tiny", "--dataset", "cifar10", "--data", "/nonexistent/cifar",
                                "--run", missing], status: 1, names: "/nonexistent/cifar"),
        // resume
        FailureCase(arguments: ["resume", missing], status: 1, names: missing),
        FailureCase(arguments: ["resume", missing, "--from-step", "3"], status: 64, names: "--into"),
        FailureCase(arguments: ["resume", missing, "--max-steps", "x"], status: 64, names: "--max-steps"),
        FailureCase(arguments: ["resume"], status: 64, names: "run-directory"),
        // export
        FailureCase(arguments: ["export", missing, "history"], status: 1, names: missing),
        FailureCase(arguments: ["export", missing, "weights"], status: 64, names: "weights"),
        FailureCase(arguments: ["export", missing, "history", "--format", "xml"], status: 64, names: "--format"),
        // verify
        FailureCase(arguments: ["verify", missing], status: 1, names: missing),
        FailureCase(arguments: ["verify"], status: 64, names: "run-directory"),
        // bench
        FailureCase(arguments: ["bench", "step", "--init-channels", "0"], status: 64, names: "--init-channels"),
        FailureCase(arguments: ["bench", "step", "--layers", "many"], status: 64, names: "--layers"),
        FailureCase(arguments: ["bench", "kernels", "--reps", "0"], status: 64, names: "--reps"),
        FailureCase(arguments: ["bench", "store", "--method", "bogus"], status: 64, names: "--method"),
        FailureCase(arguments: ["bench", "data", "--batch-size", "0"], status: 64, names: "--batch-size"),
        FailureCase(arguments: ["bench", "store", "--init-channels", "2", "--layers", "3", "--batch-size", "2",
                                "--repetitions", "1", "--directory", "/etc/hostname/sub"], status: 1, names: "/etc/hostname"),
        // the tool itself
        FailureCase(arguments: ["frobnicate"], status: 64, names: "frobnicate"),
    ]

    @Test(arguments: cases)
    func failureGivesOneLineAndTheDocumentedStatus(_ c: FailureCase) throws {
        let r = try execute(try dartsprimeBinary(), c.arguments)
        #expect(r.status == c.status, "\(c): exit \(r.status), stderr: \(r.err)")
        let lines = r.err.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1 && r.err.hasSuffix("\n"), "\(c): stderr has \(lines.count) lines: \(r.err)")
        #expect(r.err.hasPrefix("error: ") && r.err.contains(c.names), "\(c): stderr: \(r.err)")
    }

    @Test func helpIsNotAFailure() throws {
        let exe = try dartsprimeBinary()
        for args in [["--help"], ["search", "--help"], ["bench"]] {
            let r = try execute(exe, args)
            #expect(r.status == 0 && r.err.isEmpty && r.out.contains("USAGE"), "\(args): \(r.err)")
        }
        // Every option group is listed in `search --help`.
        let help = try execute(exe, ["search", "--help"]).out
        for flag in ["--profile", "--data", "--init-channels", "--batch-size", "--arch-beta1", "--eval-batch-size",
                     "--admm-discount", "--keep-every", "--run", "--max-steps"] {
            #expect(help.contains(flag), "search --help lacks \(flag)")
        }
    }
}
