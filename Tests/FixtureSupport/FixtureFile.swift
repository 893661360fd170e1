// Minimal read-only access to the PyTorch fixtures (float64 HDF5) through the HDF5 C API, kept
// independent of the project's RunStore so the fixtures are an outside oracle. A library target
// of its own (not a test target) so every test target that compares against a fixture (the
// supernet's in SearchTests, the evaluation network's in EvaluationTests) reads it the same way.

import CHDF5
import Foundation

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
}

public final class FixtureFile {
    public let path: String
    private let file: hid_t

    /// `../shared/fixtures` next to the repository (Tests/FixtureSupport is three levels down).
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    public init(_ name: String) throws {
        path = Self.directory.appendingPathComponent(name).path
        H5Eset_auto2(chdf5_e_default(), nil, nil)
        file = H5Fopen(path, chdf5_f_acc_rdonly(), chdf5_p_default())
        if file < 0 { throw FixtureError(description: "cannot open fixture \(path)") }
    }

    deinit { H5Fclose(file) }

    public func exists(_ dataset: String) -> Bool {
        // Check each path component, as H5Lexists requires.
        var prefix = ""
        for part in dataset.split(separator: "/") {
            prefix += (prefix.isEmpty ? "" : "/") + part
            if H5Lexists(file, prefix, chdf5_p_default()) <= 0 { return false }
        }
        return true
    }

    /// Shape and values of a numeric dataset, converted to Double by HDF5.
    public func read(_ dataset: String) throws -> (shape: [Int], values: [Double]) {
        let d = H5Dopen2(file, dataset, chdf5_p_default())
        if d < 0 { throw FixtureError(description: "\(path): no dataset \(dataset)") }
        defer { H5Dclose(d) }
        let space = H5Dget_space(d)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        let shape = rank == 0 ? [] : dims.prefix(rank).map { Int($0) }
        var values = [Double](repeating: 0, count: shape.reduce(1, *))
        let status = values.withUnsafeMutableBytes {
            H5Dread(d, chdf5_t_native_double(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
        }
        if status < 0 { throw FixtureError(description: "\(path): cannot read \(dataset)") }
        return (shape, values)
    }

    public func floats(_ dataset: String) throws -> [Float] { try read(dataset).values.map { Float($0) } }

    /// Names of the datasets directly inside `group`.
    public func names(in group: String) throws -> [String] {
        let g = H5Gopen2(file, group, chdf5_p_default())
        if g < 0 { throw FixtureError(description: "\(path): no group \(group)") }
        defer { H5Gclose(g) }
        var info = H5G_info_t()
        H5Gget_info(g, &info)
        var result: [String] = []
        for i in 0..<info.nlinks {
            let n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, chdf5_p_default())
            var buffer = [CChar](repeating: 0, count: Int(n) + 1)
            H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, Int(n) + 1, chdf5_p_default())
            result.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return result
    }

    // MARK: - Root attributes

    /// An integer attribute of the file's root group (the fixtures' parameter counts).
    public func integerAttribute(_ name: String) throws -> Int {
        let a = try openAttribute(name)
        defer { H5Aclose(a) }
        var value: Int64 = 0
        if H5Aread(a, chdf5_t_native_int64(), &value) < 0 {
            throw FixtureError(description: "\(path): cannot read attribute \(name) as an integer")
        }
        return Int(value)
    }

    /// A variable-length string attribute of the root group (h5py's default for `str`).
    public func stringAttribute(_ name: String) throws -> String {
        let a = try openAttribute(name)
        defer { H5Aclose(a) }
        let type = H5Tcopy(chdf5_t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, -1)  // H5T_VARIABLE, ((size_t)-1), which Swift does not import
        H5Tset_cset(type, H5T_CSET_UTF8)
        var pointer: UnsafeMutablePointer<CChar>? = nil
        if H5Aread(a, type, &pointer) < 0 || pointer == nil {
            throw FixtureError(description: "\(path): cannot read attribute \(name) as a string")
        }
        defer { H5free_memory(pointer) }
        return String(cString: pointer!)
    }

    private func openAttribute(_ name: String) throws -> hid_t {
        let a = H5Aopen(file, name, chdf5_p_default())
        if a < 0 { throw FixtureError(description: "\(path): no root attribute \(name)") }
        return a
    }
}

/// Largest |a − b| / max(max|b|, floor): one relative figure per tensor, as the fixtures' README
/// asks. `floor` keeps quantities that are zero up to float64 rounding (the batch mean of a
/// batch-normalised input, ~1e−17 in the fixture, ~1e−8 in Float32) from dividing by ~0.
public func relativeError(_ a: [Float], _ b: [Double], floor: Double = 1e-12) -> Double {
    precondition(a.count == b.count, "comparing \(a.count) values with \(b.count)")
    var maxDiff = 0.0, scale = floor
    for i in 0..<a.count {
        maxDiff = max(maxDiff, abs(Double(a[i]) - b[i]))
        scale = max(scale, abs(b[i]))
    }
    return maxDiff / scale
}

/// ‖a − b‖ / ‖b‖: the per-tensor gradient-norm criterion of the fixtures' README.
public func relativeNormError(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "comparing \(a.count) values with \(b.count)")
    var d = 0.0, n = 1e-300
    for i in 0..<a.count {
        d += (Double(a[i]) - b[i]) * (Double(a[i]) - b[i])
        n += b[i] * b[i]
    }
    return (d / n).squareRoot()
}
