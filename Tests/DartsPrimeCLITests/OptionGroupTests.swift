// The option groups seen from the commands that use them: every field of SearchConfiguration
// has a `search` flag (checked field by field with Mirror, so a new field without a flag fails
// here), flags override the profile and nothing else does, and the benchmarks read the same
// network and batch flags over their own default sizes.
import ArgumentParser
import ImageData
import Search
import Testing
@testable import dartsprime

/// A `search` command line that sets every flag to a value different from both the paper and
/// the tiny presets (and valid, since parsing validates the configuration).
let everySearchFlag: [String] = [
    "--profile", "tiny", "--run", "/tmp/unused-run", "--max-steps", "3",
    "--method", "prime+crb", "--seed", "7",
    "--dataset", "cifar100", "--data", "/tmp/cifar-100-binary", "--subset", "50", "--no-augment",
    "--init-channels", "6", "--layers", "4",
    "--batch-size", "5",
    "--lr", "0.5", "--lr-min", "0.01", "--momentum", "0.8", "--weight-decay", "0.01", "--grad-clip", "3",
    "--arch-lr", "0.01", "--arch-beta1", "0.6", "--arch-beta2", "0.99", "--arch-eps", "1e-6",
    "--arch-weight-decay", "0.5", "--second-order",
    "--epochs", "3", "--eval-batch-size", "9", "--step-ratio", "4", "--tau0", "2", "--gamma-inc", "1.1",
    "--fimt-beta", "0.3", "--train-fraction", "0.7",
    "--rho", "0.2", "--admm-freq", "3", "--admm-discount", "0.5",
    "--keep-last", "4", "--keep-every", "7",
]

/// Field name → printed value, in declaration order.
func fields(_ c: SearchConfiguration) -> [(name: String, value: String)] {
    Mirror(reflecting: c).children.map { ($0.label ?? "?", String(describing: $0.value)) }
}

@Suite struct OptionGroupTests {
    @Test func everyConfigurationFieldIsReachableFromASearchFlag() throws {
        let got = fields(try SearchCommand.parse(everySearchFlag).makeConfiguration())
        let paper = Dictionary(uniqueKeysWithValues: fields(.preset(.paper)).map { ($0.name, $0.value) })
        let tiny = Dictionary(uniqueKeysWithValues: fields(.preset(.tiny)).map { ($0.name, $0.value) })
        #expect(got.count == paper.count && got.count >= 30)
        for f in got {
            #expect(f.value != paper[f.name], "\(f.name) = \(f.value) is the paper preset's: no flag reaches it")
            // Over the chosen profile too (only the profile field itself is the tiny preset's).
            if f.name != "profile" {
                #expect(f.value != tiny[f.name], "\(f.name) = \(f.value) is the tiny preset's: a flag did not override it")
            }
        }
    }

    @Test(arguments: SearchProfile.allCases)
    func aProfileAloneIsExactlyItsPreset(_ profile: SearchProfile) throws {
        let c = try SearchCommand.parse(["--profile", profile.rawValue]).makeConfiguration()
        #expect(c == .preset(profile))
    }

    @Test func flagsOverrideTheProfileAndNothingElse() throws {
        let c = try SearchCommand.parse(["--profile", "tiny", "--init-channels", "6", "--subset", "all",
                                         "--augment", "--no-second-order"]).makeConfiguration()
        var expected = SearchConfiguration.preset(.tiny)
        expected.initChannels = 6
        expected.subset = nil
        #expect(c == expected)
        #expect(try SearchCommand.parse(["--no-augment"]).makeConfiguration().augment == false)
    }

    /// Bad values fail while parsing, as usage errors (64) whose message names the flag.
    @Test(arguments: [["--init-channels", "x"], ["--subset", "some"], ["--layers", "2"], ["--method", "bogus"],
                      ["--train-fraction", "1.5"], ["--max-steps=-1"], ["--profile", "huge"], ["--bogus-flag"]])
    func badValuesAreUsageErrorsNamingTheFlag(_ args: [String]) {
        do {
            _ = try SearchCommand.parse(["--profile", "tiny"] + args)
            Issue.record("\(args) was accepted")
        } catch {
            #expect(SearchCommand.exitCode(for: error).rawValue == ExitStatus.usage.rawValue)
            let flag = String(args[0].split(separator: "=")[0])
            let message = SearchCommand.message(for: error)
            #expect(message.contains(flag) || message.contains(args.last!), "\(args): \(message)")
        }
    }

    @Test func benchmarksReadTheSearchNetworkAndBatchFlagsOverTheirOwnSizes() throws {
        let step = try BenchStep.parse([]).size
        #expect((step.initChannels, step.layers, step.batchSize) == (16, 8, 64))
        let store = try BenchStore.parse([]).size
        #expect((store.initChannels, store.layers, store.batchSize, store.method) == (4, 5, 32, "darts"))
        let flags = ["--init-channels", "6", "--layers", "4", "--batch-size", "3"]
        for c in [try BenchStep.parse(flags).size, try BenchStore.parse(flags + ["--method", "prime"]).size] {
            #expect((c.initChannels, c.layers, c.batchSize) == (6, 4, 3))
        }
        #expect(try BenchStore.parse(["--method", "prime"]).size.method == "prime")
        #expect(try BenchKernels.parse(["--batch-size", "8"]).batch == 8)
        #expect(try BenchKernels.parse([]).batch == 64)
        #expect(try BenchData.parse(["--batch-size", "8"]).batchSize == 8)
    }

    @Test func demoIsPrimeOnFashionMNISTAtTheDemoSize() throws {
        let c = try DemoCommand.parse([]).makeConfiguration()
        var expected = SearchConfiguration.preset(.demo)
        expected.dataset = .fashionMNIST
        expected.method = "prime"
        #expect(c == expected)
        #expect(try DemoCommand.parse(["--method", "darts"]).makeConfiguration().method == "darts")
    }
}
