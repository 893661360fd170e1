// DIR/slurm/jobs.json read and written: absent is "nothing submitted", an unreadable one names
// the file (and is never overwritten: a new submission refuses it), a write replaces it atomically.

import Foundation
import Analysis
import Cluster

enum SlurmJobsFile {
    /// The record in `layout`, nil when nothing was submitted.
    static func read(_ layout: ExperimentLayout) throws -> SlurmJobs? {
        let url = layout.slurmJobs
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw RuntimeFailure("\(url.path) cannot be read") }
        let jobs: SlurmJobs
        do { jobs = try JSONDecoder().decode(SlurmJobs.self, from: data) } catch {
            throw RuntimeFailure("\(url.path) is not a dartsprime jobs record (\(error)); move it away to submit again")
        }
        guard jobs.format == SlurmJobs.format, jobs.version == 1 else {
            throw RuntimeFailure("\(url.path) has format \(jobs.format) version \(jobs.version); this build reads \(SlurmJobs.format) version 1")
        }
        return jobs
    }

    static func write(_ jobs: SlurmJobs, to layout: ExperimentLayout) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let sink = try AtomicFileSink(url: layout.slurmJobs, replace: true)
        try sink.write(String(decoding: try e.encode(jobs), as: UTF8.self) + "\n")
        try sink.commit()
    }

    /// Now, as jobs.json records submission times.
    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
