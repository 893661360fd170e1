// Slash-path keys ↔ nested HDF5 groups: "model/stem.0.weight" under /arrays becomes group
// /arrays/weights holding dataset "stem.0.weight". Writing caches created groups; reading walks
// the tree and yields every dataset with its key.

/// Creates datasets at slash-path keys under one root group, creating folders as needed.
final class KeyedGroupWriter {
    private let root: HDF5Location
    private var groups: [String: HDF5Location] = [:]

    init(root: HDF5Location) { self.root = root }

    /// The folder that will hold `key`'s dataset, and the dataset's own name.
    func parent(of key: String) throws -> (HDF5Location, String) {
        let parts = key.split(separator: "/").map(String.init)
        var location = root
        var path = ""
        for part in parts.dropLast() {
            path += "/" + part
            if let g = groups[path] { location = g; continue }
            let g = try location.createGroup(part)
            groups[path] = g
            location = g
        }
        return (location, parts.last ?? key)
    }
}

enum KeyedGroupReader {
    /// Every dataset below `root` as (key, parent, name), keys in byte order.
    static func datasets(under root: HDF5Location, prefix: String = "") throws -> [(key: String, parent: HDF5Location, name: String)] {
        var out: [(String, HDF5Location, String)] = []
        for name in try root.childNames() {
            let key = prefix.isEmpty ? name : prefix + "/" + name
            switch try root.childKind(name) {
            case .dataset: out.append((key, root, name))
            case .group: out += try datasets(under: try root.openGroup(name), prefix: key)
            case .other: throw HDF5Error(file: root.file, object: root.childPath(name), operation: "read", message: "unexpected object kind")
            }
        }
        return out
    }
}
