// `--profile`: which preset a search starts from before its flags override it.

import ArgumentParser
import Search

extension SearchProfile: ExpressibleByArgument {}

/// The preset every other group of a search applies itself over.
struct ProfileOptions: ParsableArguments {
    @Option(help: "Preset: paper (SPEC defaults), cpu (~1 h on 2 cores), demo (minutes), tiny (seconds); the other flags override it.")
    var profile: SearchProfile = .paper

    /// The preset's configuration, the base of the other groups.
    var base: SearchConfiguration { .preset(profile) }
}
