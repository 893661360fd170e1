// Quoting for the two languages a job script mixes: bash (the body) and sbatch's own reading of
// `#SBATCH` lines (double quotes, and `%` patterns in file names).

enum ShellText {
    /// `text` as one bash word: single quotes, with each `'` written as `'\''`.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingEvery("'", with: #"'\''"#) + "'"
    }

    /// `directory/pattern` as an `#SBATCH` file-name value: in double quotes (sbatch splits on
    /// spaces otherwise), the directory's `%` doubled so that only the pattern's `%a`, `%j`, …
    /// are expanded.
    static func sbatchFileName(directory: String, pattern: String) -> String {
        "\"" + directory.replacingEvery("%", with: "%%") + "/" + pattern + "\""
    }

    /// Why `path` cannot be written into an `#SBATCH` line, or nil: sbatch has no escape for a
    /// double quote inside a quoted value, and a backslash turns off its `%` patterns.
    static func sbatchProblem(_ path: String) -> String? {
        if path.contains(where: \.isNewline) { return "contains a line break" }
        if path.contains("\"") { return "contains a double quote, which an #SBATCH line cannot hold" }
        if path.contains("\\") { return "contains a backslash, which sbatch reads as 'no %-patterns'" }
        return nil
    }
}

extension String {
    /// Every occurrence of `target` replaced (Foundation-free, so the module imports nothing).
    func replacingEvery(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
