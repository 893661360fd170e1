// The contract of every option group that sets part of a `SearchConfiguration`: flags override
// a base configuration (a profile's preset, or a benchmark's own size), absent flags leave it
// alone, so `--profile tiny` without other flags is exactly the tiny preset.

import ArgumentParser
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

    /// `validate()` as a usage error naming the flag to fix, so a rejected configuration exits
    /// 64 with one line, like ArgumentParser's own parse errors.
    func validateAsFlags() throws {
        do { try validate() } catch let error as MethodError {
            throw ValidationError("--method: \(error)")
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
