// Validation of slash-path keys: every key becomes a chain of HDF5 groups ending in a dataset,
// so components must be non-empty link names and no key may be a folder of another.

enum StoreKeys {
    static func validate<S: Sequence>(_ keys: S, section: String) throws where S.Element == String {
        let sorted = StateDigest.sortedKeys(keys)
        for key in sorted {
            guard !key.isEmpty else { throw StoreError.invalidKey(key: key, reason: "\(section) keys must not be empty") }
            for part in key.split(separator: "/", omittingEmptySubsequences: false) {
                guard !part.isEmpty, part != ".", part != "..", !part.contains("\0") else {
                    throw StoreError.invalidKey(key: key, reason: "each '/'-separated part must be a non-empty name other than '.' or '..'")
                }
            }
        }
        let all = Set(sorted)
        for key in sorted {
            var prefix = ""
            for part in key.split(separator: "/").dropLast() {
                prefix += prefix.isEmpty ? String(part) : "/" + part
                if all.contains(prefix) {
                    throw StoreError.invalidKey(key: prefix, reason: "it is both a value and the folder of '\(key)'")
                }
            }
        }
    }
}
