// The one exit path of the command-line tool: parse, run, and turn whatever went wrong into one
// line on stderr and a documented status (ExitStatus.swift). Commands only throw.
//
// ArgumentParser's own `main` prints a parse error with the usage block (several lines) and a
// runtime error as "Error: …" with status 1 whatever its kind; here every failure is a single
// `error: …` line, and the status says whether the user must fix the command line (64), the
// files (1), or simply resume (75).

import ArgumentParser
import Foundation
import DartsCore
import Search
import TextData
import Training

enum CommandExit {
    /// Parses `arguments` (default: the process's) into a subcommand of `root`, runs it and exits.
    static func run(_ root: ParsableCommand.Type, arguments: [String]? = nil) -> Never {
        var command: ParsableCommand
        do {
            command = try root.parseAsRoot(arguments)
        } catch {
            // --help is an "error" whose text goes to stdout with status 0.
            if root.exitCode(for: error) == .success { exitPrintingHelp(root, error) }
            exit(.usage, line: "error: " + root.message(for: error))
        }
        if let problem = environmentProblem() { exit(.usage, line: "error: " + problem) }
        do {
            try command.run()
        } catch {
            // `--help` (ArgumentParser's help command) and a command group run without its
            // subcommand end by throwing a help request: its text on stdout, status 0.
            if root.exitCode(for: error) == .success { exitPrintingHelp(root, error) }
            if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
            let status = status(for: error)
            if status == .failure && root.exitCode(for: error) == .validationFailure {
                // An ArgumentParser error raised while running (e.g. `help` of an unknown command).
                exit(.usage, line: "error: " + root.message(for: error))
            }
            exit(status, line: status == .stopped ? "\(error)" : "error: \(error)")
        }
        exitReportingOutput()
    }

    /// Prints the help text that `request` asks for on stdout (through StandardStreams, so
    /// `--help > /dev/full` fails like any other lost report) and exits.
    private static func exitPrintingHelp(_ root: ParsableCommand.Type, _ request: Error) -> Never {
        StandardStreams.writeLine(root.fullMessage(for: request))
        exitReportingOutput()
    }

    /// Exit 0, unless a report did not reach stdout (`> /dev/full`, a closed pipe): then 1.
    private static func exitReportingOutput() -> Never {
        if let reason = StandardStreams.outputFailure {
            exit(.failure, line: "error: cannot write to standard output: \(reason)")
        }
        exit(.success, line: nil)
    }

    /// The first environment setting the tool would otherwise have to ignore or coerce.
    static func environmentProblem(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let v = environment["DARTSPRIME_THREADS"], DartsCore.parseThreadCount(v) == nil {
            return "DARTSPRIME_THREADS must be a whole number of worker threads from 1 to \(DartsCore.maximumThreadCount), got '\(v)'"
        }
        if let v = environment[DartsCore.slurmCPUsVariable], DartsCore.parseThreadCount(v) == nil {
            return "\(DartsCore.slurmCPUsVariable) must be a whole number of CPUs from 1 to \(DartsCore.maximumThreadCount), got '\(v)'"
        }
        if let v = environment["DARTSPRIME_SPIN_US"], DartsCore.parseSpinMicroseconds(v) == nil {
            return "DARTSPRIME_SPIN_US must be whole microseconds from 0 to 1000000, got '\(v)'"
        }
        return nil
    }

    /// The status of an error thrown while a command runs.
    static func status(for error: Error) -> ExitStatus {
        switch error {
        case is StoppedBySignal: return .stopped
        case is ValidationError: return .usage
        // The search layer's "invalid configuration" always names the flag to change (a fork
        // step without --into, no data at the default folder without --data, an empty split).
        case TrainingError.invalidConfiguration: return .usage
        // The corpus layout is a flag: the message names the one to give.
        case TextDataError.missingTrainFile: return .usage
        case TrainingError.diverged: return .diverged
        default: return .failure
        }
    }

    /// `message` on one line: an error that spans lines (an HDF5 stack, a nested description)
    /// is joined so that scripts can rely on exactly one line per failure.
    static func oneLine(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }

    private static func exit(_ status: ExitStatus, line: String?) -> Never {
        if let line { StandardStreams.writeError(oneLine(line) + "\n") }  // never traps on a closed stderr
        Foundation.exit(status.rawValue)
    }
}
