// The contract of every option group that sets part of a `SearchConfiguration`: flags override
// a base configuration (a profile's preset, or a benchmark's own size), absent flags leave it
// alone, so `--profile tiny` without other flags is exactly the tiny preset.

import ArgumentParser
import Evaluation
import Search

/// A group of flags (`@OptionGroup`) that overrides some fields of a configuration.
///
/// Every property is optional: nil means "not given", which keeps the base value. That is what
/// lets one group serve `search` over any profile and `bench` over its own default size.
protocol ConfigurationOptions: ParsableArguments {
    /// Writes the fields whose flags were given into `configuration`.
    func apply(to configuration: inout SearchConfiguration)
}

extension SearchConfiguration {
    /// This configuration with `groups` applied in order (later groups win on a shared field;
    /// the groups of one command set disjoint fields).
    func overridden(by groups: [any ConfigurationOptions]) -> SearchConfiguration {
        var c = self
        for g in groups { g.apply(to: &c) }
        return c
    }

    /// `validate()` and the memory estimate as a usage error naming the flag to fix, so a
    /// rejected configuration exits 64 with one line, like ArgumentParser's own parse errors.
    func validateAsFlags(includingData: Bool = true) throws {
        try asUsageError {
            try validate()
            try validateFitsMemory(includingData: includingData)
        }
    }
}

extension RecurrentSearchRunConfiguration {
    /// `validate()` as a usage error naming the flag (exit 64), as for a CNN search.
    func validateAsFlags() throws {
        try asUsageError { try validate() }
    }
}

extension RecurrentEvaluationConfiguration {
    /// `validate()` as a usage error (exit 64); the memory estimate needs the corpus's vocabulary
    /// and is checked when the run loads it.
    func validateAsFlags() throws {
        try asUsageError { try validate() }
    }
}

extension EvaluationRunConfiguration {
    /// `validate()` and the memory estimate as a usage error (exit 64), as for a search.
    func validateAsFlags(includingData: Bool = true) throws {
        try asUsageError {
            try validate()
            try validateFitsMemory(includingData: includingData)
        }
    }
}

/// A configuration's checks with their failures as usage errors (exit 64, one line): an unknown
/// method names `--method`; every other message names its flag already.
func asUsageError(_ checks: () throws -> Void) throws {
    do {
        try checks()
    } catch let error as MethodError {
        throw ValidationError("--method: \(error)")
    } catch {
        throw ValidationError("\(error)")
    }
}

/// What the step benchmarks need beyond a valid configuration: batch norm needs two images, the
/// search benchmark's FactorizedReduce an even width, and a median one timed iteration.
enum BenchSizeChecks {
    static func evenChannels(_ c: Int, command: String) throws {
        if c % 2 != 0 { throw ValidationError("\(command): --init-channels must be even, got \(c)") }
    }

    static func batchAndIterations(_ batch: Int, _ iterations: Int, command: String) throws {
        if batch < 2 { throw ValidationError("\(command): --batch-size must be at least 2, got \(batch)") }
        if iterations < 1 { throw ValidationError("\(command): --iterations must be at least 1, got \(iterations)") }
    }
}
