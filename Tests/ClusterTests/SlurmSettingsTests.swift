// Settings refused before anything is written: each with the flag named, and the owned options
// an extra #SBATCH line may not set.
@testable import Cluster
import Testing

@Suite struct SlurmSettingsTests {
    @Test(arguments: [("30", 1_800), ("5:30", 330), ("2:00:00", 7_200), ("1-0", 86_400), ("1-2:30", 95_400), ("2-00:00:10", 172_810)])
    func timeLimitsInSbatchForms(_ text: String, _ seconds: Int) throws {
        #expect(try SlurmTimeLimit(text).seconds == seconds)
    }

    @Test(arguments: ["", "0", "1h", "1:2:3:4", "-5", "1-", "1-2-3", "a:b", "1.5", " 30", "1-1:1:1:1"])
    func badTimeLimitsAreRefused(_ text: String) {
        #expect(throws: ClusterError.self) { try SlurmTimeLimit(text) }
        do { _ = try SlurmTimeLimit(text) } catch { #expect("\(error)".hasPrefix("--time: ")) }
    }

    @Test func everyGoodSettingPasses() throws {
        try everySetting.validate()
        try SlurmSettings().validate()
    }

    @Test func badValuesNameTheirFlag() throws {
        let cases: [(SlurmSettings, String)] = [
            (SlurmSettings(partition: "a b"), "--partition"),
            (SlurmSettings(partition: ""), "--partition"),
            (SlurmSettings(account: "x\"y"), "--account"),
            (SlurmSettings(cpusPerTask: 0), "--cpus-per-task"),
            (SlurmSettings(cpusPerTask: 5000), "--cpus-per-task"),
            (SlurmSettings(memory: "8GB"), "--mem"),
            (SlurmSettings(memory: "0"), "--mem"),
            (SlurmSettings(memory: ""), "--mem"),
            (SlurmSettings(signalLeadSeconds: 0), "--signal-lead"),
            (SlurmSettings(signalLeadSeconds: 70_000), "--signal-lead"),
            // The lead must fall inside the time limit.
            (SlurmSettings(timeLimit: try SlurmTimeLimit("5"), signalLeadSeconds: 300), "--signal-lead"),
            (SlurmSettings(extraLines: ["qos=low"]), "--sbatch"),
            (SlurmSettings(extraLines: ["--qos=low\n#SBATCH --array=0-99"]), "--sbatch"),
        ]
        for (settings, flag) in cases {
            do {
                try settings.validate()
                Issue.record("\(settings) was accepted")
            } catch let error as ClusterError {
                #expect("\(error)".hasPrefix(flag + ": "), "\(error)")
            }
        }
        // The control: just inside the bounds passes.
        try SlurmSettings(timeLimit: try SlurmTimeLimit("5:01"), cpusPerTask: 1024, memory: "512", signalLeadSeconds: 300).validate()
    }

    @Test(arguments: ["--array=0-3", "-a 0-3", "--dependency=afterok:1", "-d afterany:2", "--output=/tmp/x", "-o/tmp/x",
                      "--error=x", "-e x", "--signal=TERM@60", "--open-mode=truncate", "--requeue", "--no-requeue",
                      "#SBATCH --no-requeue"])
    func extraLinesMayNotSetOwnedOptions(_ line: String) {
        do {
            try SlurmSettings(extraLines: [line]).validate()
            Issue.record("'\(line)' was accepted")
        } catch {
            #expect("\(error)".hasPrefix("--sbatch: ") && "\(error)".contains("owns"), "\(error)")
        }
    }

    @Test func extraLinesAreWrittenAsOptions() throws {
        #expect(try SlurmSettings(extraLines: ["  --qos=low ", "#SBATCH   --exclusive", "-C skylake"]).sbatchOptions()
                == ["--qos=low", "--exclusive", "-C skylake"])
    }

    @Test func scriptRefusesWhatItCannotQuote() throws {
        let cases: [(String, String, String)] = [
            ("relative/dartsprime", "/g", "executable"),
            ("/x/dartsprime", "grid", "--dir"),
            ("/x/dartsprime", "/g\"rid", "--dir"),
            ("/x/dartsprime", "/g\\rid", "--dir"),
            ("/x/dartsprime", "/g\nrid", "--dir"),
        ]
        for (exe, dir, flag) in cases {
            do {
                _ = try SlurmScript.search(executable: exe, gridDirectory: dir, count: 1, settings: SlurmSettings()).text()
                Issue.record("\(exe) \(dir) was accepted")
            } catch {
                #expect("\(error)".hasPrefix(flag + ": "), "\(error)")
            }
        }
        #expect(throws: ClusterError.self) { try SlurmScript.search(executable: "/x", gridDirectory: "/g", count: 0, settings: SlurmSettings()).text() }
        #expect(throws: ClusterError.self) {
            try SlurmScript.evaluation(executable: "/x", gridDirectory: "/g", count: 1, firstTask: 1, afterSearchJob: "12;cluster", settings: SlurmSettings()).text()
        }
    }
}
