// What a user chooses about the Slurm jobs of a grid (partition, account, time, CPUs, memory,
// extra #SBATCH lines, the signal's lead time), checked before any script is written: a value
// sbatch would reject, or an extra line that would undo the requeue design, is refused naming
// its flag.

public struct SlurmSettings: Equatable, Sendable {
    public var partition: String?
    public var account: String?
    public var timeLimit: SlurmTimeLimit?
    public var cpusPerTask: Int?
    /// sbatch's `--mem` (per node): a whole number with an optional K, M, G or T suffix.
    public var memory: String?
    /// Further `#SBATCH` options (e.g. `--qos=low`), one option per entry.
    public var extraLines: [String]
    /// Seconds before the time limit at which Slurm signals the task, so that the step in
    /// progress commits before the limit's SIGKILL.
    public var signalLeadSeconds: Int

    /// A step at the paper's size takes ≈ 6.4 s on 2 cores (docs/BENCHMARKS.md) and Slurm may
    /// signal up to 60 s early; five minutes leaves room for a slow step and its commit.
    public static let defaultSignalLeadSeconds = 300
    /// sbatch keeps the lead time in 16 bits.
    public static let maximumSignalLeadSeconds = 65_535
    /// The same bound as DARTSPRIME_THREADS: more workers than that are refused there too.
    public static let maximumCPUsPerTask = 1024

    /// Options the writer owns: an extra line setting one of them would break per-task logs,
    /// the signal that lets a step commit, or the requeue of a stopped task.
    public static let ownedOptions = ["--array", "-a", "--dependency", "-d", "--output", "-o", "--error", "-e",
                                      "--signal", "--open-mode", "--requeue", "--no-requeue"]

    public init(partition: String? = nil, account: String? = nil, timeLimit: SlurmTimeLimit? = nil,
                cpusPerTask: Int? = nil, memory: String? = nil, extraLines: [String] = [],
                signalLeadSeconds: Int = SlurmSettings.defaultSignalLeadSeconds) {
        self.partition = partition
        self.account = account
        self.timeLimit = timeLimit
        self.cpusPerTask = cpusPerTask
        self.memory = memory
        self.extraLines = extraLines
        self.signalLeadSeconds = signalLeadSeconds
    }

    /// Throws the first setting sbatch could not take as written.
    public func validate() throws {
        try Self.checkName(partition, flag: "--partition")
        try Self.checkName(account, flag: "--account")
        if let n = cpusPerTask, !(1...Self.maximumCPUsPerTask).contains(n) {
            throw ClusterError.invalidSetting(flag: "--cpus-per-task", reason: "must be a whole number from 1 to \(Self.maximumCPUsPerTask), got \(n)")
        }
        if let m = memory, !Self.isMemory(m) {
            throw ClusterError.invalidSetting(flag: "--mem", reason: "'\(m)' is not a Slurm memory size (a whole number with an optional K, M, G or T suffix, e.g. 8G)")
        }
        guard (1...Self.maximumSignalLeadSeconds).contains(signalLeadSeconds) else {
            throw ClusterError.invalidSetting(flag: "--signal-lead", reason: "must be whole seconds from 1 to \(Self.maximumSignalLeadSeconds), got \(signalLeadSeconds)")
        }
        if let t = timeLimit, signalLeadSeconds >= t.seconds {
            throw ClusterError.invalidSetting(
                flag: "--signal-lead",
                reason: "\(signalLeadSeconds) s is not shorter than the time limit --time \(t.text) (\(t.seconds) s): the task would be signalled before it starts")
        }
        _ = try sbatchOptions()
    }

    /// The extra lines as options (a leading `#SBATCH` is dropped), each refused when it is
    /// not one option on one line or sets an option the writer owns.
    public func sbatchOptions() throws -> [String] {
        try extraLines.map { line in
            var option = line.trimmingWhitespace()
            if option.hasPrefix("#SBATCH") { option = String(option.dropFirst("#SBATCH".count)).trimmingWhitespace() }
            guard !line.contains(where: \.isNewline) else {
                throw ClusterError.invalidSetting(flag: "--sbatch", reason: "'\(line.debugDescription)' spans lines: give one option per --sbatch")
            }
            guard option.hasPrefix("-"), option.count > 1 else {
                throw ClusterError.invalidSetting(flag: "--sbatch", reason: "'\(line)' is not an sbatch option (e.g. --qos=low)")
            }
            let name = String(option.prefix { $0 != "=" && $0 != " " && $0 != "\t" })
            // Short options take their value attached or after a space: -o%a is -o.
            let short = name.hasPrefix("--") ? name : String(name.prefix(2))
            if Self.ownedOptions.contains(short) {
                throw ClusterError.invalidSetting(flag: "--sbatch", reason: "'\(line)' sets \(short), which the generated script owns (per-task logs, the stop signal, requeue); see docs/CLUSTER.md")
            }
            return option
        }
    }

    private static func checkName(_ value: String?, flag: String) throws {
        guard let value else { return }
        let allowed = value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.,".contains($0)) }
        guard !value.isEmpty, allowed else {
            throw ClusterError.invalidSetting(flag: flag, reason: "'\(value)' is not a Slurm name (letters, digits, '-', '_', '.', ',')")
        }
    }

    private static func isMemory(_ text: String) -> Bool {
        var digits = Substring(text)
        if let last = digits.last, "KMGTkmgt".contains(last) { digits = digits.dropLast() }
        return !digits.isEmpty && digits.count <= 12 && digits.allSatisfy { $0.isASCII && $0.isNumber } && Int(digits)! > 0
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let chars = Array(self)
        var start = 0, end = chars.count
        while start < end, chars[start].isWhitespace { start += 1 }
        while end > start, chars[end - 1].isWhitespace { end -= 1 }
        return String(chars[start..<end])
    }
}
