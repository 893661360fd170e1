// What an audit found: the steps that matched, the first step that did not and what differs
// there, and the environment differences that could explain it.

import Foundation
import Training

/// The first step whose state differs from the reference.
public struct AuditMismatch: Equatable, Sendable {
    public var step: Int
    public var referenceDigest: String
    public var executedDigest: String
    /// Differing tensors in the state's canonical order (the first is "the first differing
    /// tensor"); without values when the reference keeps digests only.
    public var tensors: [KeyDifference]
    /// Differing history values and α of the step (always known: the history keeps them).
    public var history: [KeyDifference]
    /// Further facts (e.g. an edited configuration).
    public var notes: [String]
}

/// A recorded environment value that differs from the auditing process's.
public struct EnvironmentDifference: Equatable, Sendable {
    public var key: String
    public var recorded: String
    public var current: String
    /// Why this difference can change bits; nil when it cannot (CPU model, worker count, OS).
    public var explanation: String?

    public var text: String { "\(key): \(recorded) → \(current)" + (explanation.map { " (\($0))" } ?? "") }

    static let explanations: [String: String] = [
        "openblas_core": "OpenBLAS ran another kernel family, whose GEMM rounds differently",
        "openblas_core_requested": "another OpenBLAS kernel family was requested",
        "bit_exact_across_machines": "one side did not run the pinned Haswell kernels",
        "executable_sha256": "another binary: its compiled numerics may differ",
        "git_commit": "built from another commit",
        "dartsprime_version": "another dartsprime version",
        "swift_version": "another compiler: code generation may differ",
        "openblas_config": "another OpenBLAS build or version",
        "cpu_avx2": "another instruction set", "cpu_fma": "another instruction set",
    ]

    /// Differences between `recorded` and `current`, the ones that can change bits first
    /// (in ComputeEnvironment.bitRelevantKeys order), then the rest by key.
    public static func between(recorded: [String: String], current: [String: String]) -> [EnvironmentDifference] {
        let keys = Set(recorded.keys).union(current.keys)
        let order = ComputeEnvironment.bitRelevantKeys
        return keys.compactMap { key -> EnvironmentDifference? in
            let r = recorded[key] ?? "(absent)", c = current[key] ?? "(absent)"
            guard r != c else { return nil }
            return EnvironmentDifference(key: key, recorded: r, current: c, explanation: explanations[key])
        }.sorted { a, b in
            let ia = order.firstIndex(of: a.key) ?? order.count, ib = order.firstIndex(of: b.key) ?? order.count
            return ia != ib ? ia < ib : a.key < b.key
        }
    }
}

/// The outcome of auditing one record or one run slice.
public struct AuditResult: Equatable, Sendable {
    /// The record's name (e.g. `101-prime`) or the run's path.
    public var subject: String
    public var firstStep: Int
    public var stepsCompared: Int
    public var mismatch: AuditMismatch?
    public var environment: [EnvironmentDifference]
    public var matches: Bool { mismatch == nil }

    /// The report: one line when it matches, the evidence when it does not.
    public var text: String {
        var lines: [String] = []
        let span = stepsCompared == 0 ? "no steps" : "steps \(firstStep)…\(firstStep + stepsCompared - 1)"
        guard let m = mismatch else {
            lines.append("\(subject): match (\(span))")
            if let e = environment.first(where: { $0.explanation != nil }) {
                lines.append("  environment differs but bits match: \(e.text)")
            }
            return lines.joined(separator: "\n")
        }
        let before = m.step == firstStep ? "the first step compared"
            : m.step - 1 == firstStep ? "step \(firstStep) matches" : "steps \(firstStep)…\(m.step - 1) match"
        lines.append("\(subject): MISMATCH at step \(m.step) (\(before))")
        lines.append("  state digest: reference \(m.referenceDigest.prefix(16))…, re-executed \(m.executedDigest.prefix(16))…")
        if let first = m.tensors.first {
            let digestOnly = first.maxAbsoluteDifference == nil && first.kind == .values
            lines.append("  first differing tensor: \(first)" + (digestOnly ? " (the reference keeps its digest only)" : "")
                         + "; \(m.tensors.count) tensor(s) differ")
        }
        for h in m.history.prefix(6) { lines.append("  history: \(h)") }
        for n in m.notes { lines.append("  note: \(n)") }
        let explaining = environment.filter { $0.explanation != nil }
        if explaining.isEmpty {
            lines.append("  environment: no difference that could explain it" + (environment.isEmpty ? "" : " (\(environment.map(\.key).joined(separator: ", ")) differ, which do not change bits)"))
        } else {
            lines.append("  environment differences that could explain it:")
            for e in explaining { lines.append("    \(e.text)") }
        }
        return lines.joined(separator: "\n")
    }
}

public enum AuditError: Error, CustomStringConvertible, Equatable {
    case badRecord(file: String, reason: String)
    case badSlice(run: String, reason: String)

    public var description: String {
        switch self {
        case let .badRecord(file, reason): return "\(file) \(reason)"
        case let .badSlice(run, reason): return "\(run): \(reason)"
        }
    }
}
