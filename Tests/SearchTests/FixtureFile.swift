// Minimal read-only access to the PyTorch fixtures (float64 HDF5) through the HDF5 C API, kept
// independent of the project's RunStore so the fixtures are an outside oracle.

import CHDF5
import Foundation

struct FixtureError: Error, CustomStringConvertible {
    let description: String
}

final class FixtureFile {
    let path: String
    private let file: hid_t

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    init(_ name: String) throws {
        path = Self.directory.appendingPathComponent(name).path
        H5Eset_auto2(chdf5_e_default(), nil, nil)
        file = H5Fopen(path, chdf5_f_acc_rdonly(), chdf5_p_default())
        if file < 0 { throw FixtureError(description: "cannot open fixture \(path)") }
    }

    deinit { H5Fclose(file) }

    func exists(_ dataset: String) -> Bool {
        // Check each path component, as H5Lexists requires.
        var prefix = ""
        for part in dataset.split(separator: "/") {
            prefix += (prefix.isEmpty ? "" : "/") + part
            if H5Lexists(file, prefix, chdf5_p_default()) <= 0 { return false }
        }
        return true
    }

    /// Shape and values of a numeric dataset, converted to Double by HDF5.
    func read(_ dataset: String) throws -> (shape: [Int], values: [Double]) {
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

    func floats(_ dataset: String) throws -> [Float] { try read(dataset).values.map { Float($0) } }

    /// Names of the datasets directly inside `group`.
    func names(in group: String) throws -> [String] {
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
}

/// Largest |a − b| / max(max|b|, floor): one relative figure per tensor, as the fixtures' README
/// asks. `floor` keeps quantities that are zero up to float64 rounding (the batch mean of a
/// batch-normalised input, ~1e−17 in the fixture, ~1e−8 in Float32) from dividing by ~0.
func relativeError(_ a: [Float], _ b: [Double], floor: Double = 1e-12) -> Double {
    precondition(a.count == b.count, "comparing \(a.count) values with \(b.count)")
    var maxDiff = 0.0, scale = floor
    for i in 0..<a.count {
        maxDiff = max(maxDiff, abs(Double(a[i]) - b[i]))
        scale = max(scale, abs(b[i]))
    }
    return maxDiff / scale
}

/// ‖a − b‖ / ‖b‖: the per-tensor gradient-norm criterion of the fixtures' README.
func relativeNormError(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "comparing \(a.count) values with \(b.count)")
    var d = 0.0, n = 1e-300
    for i in 0..<a.count {
        d += (Double(a[i]) - b[i]) * (Double(a[i]) - b[i])
        n += b[i] * b[i]
    }
    return (d / n).squareRoot()
}
