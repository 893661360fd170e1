// The HDF5 wrapper on its own: every dtype and shape, strings, attributes, extendible
// compressed datasets, errors that carry file/object/message, and no leaked handles.
import Foundation
import Testing
@testable import RunStore

extension StoreSuite {
    @Test func wrapperRoundTripsEveryKindAndLeaksNothing() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("w.h5")
        let arrays: [StoredArray] = [
            .float32(shape: [], [1.5]), .float32(shape: [0], []), .float32(shape: [1], [-2]),
            .float64(shape: [2, 3], [1, 2, 3, 4, 5, .pi]), .int64(shape: [3, 1, 2], [1, -2, 3, .max, .min, 0]),
            .uint8(shape: [5], [0, 1, 2, 254, 255]),
        ]
        do {
            let f = try HDF5File.create(url)
            let g = try f.createGroup("g")
            for (i, a) in arrays.enumerated() { try g.createDataset("a\(i)", a) }
            try f.createStrings("names", ["a", "", "long name τ"])
            try f.createString("one", "x")
            try f.setAttribute("s", string: "hello")
            try f.setAttribute("i", int64: -7)
            try f.setAttribute("d", double: 0.1)
            let ext = try f.createDataset("rows", .float32(shape: [2, 3], [1, 2, 3, 4, 5, 6]),
                                          options: .init(extendible: true, chunkRows: 4, deflateLevel: 6))
            try ext.append(.float32(shape: [3, 3], (7...15).map(Float.init)))
            #expect(throws: HDF5Error.self) { try ext.append(.float32(shape: [1, 2], [0, 0])) }
            try f.close()
        }
        do {
            let f = try HDF5File.open(url)
            let g = try f.openGroup("g")
            #expect(try g.childNames() == (0..<arrays.count).map { "a\($0)" })
            for (i, a) in arrays.enumerated() { #expect(try g.readArray("a\(i)") == a) }
            #expect(try f.childKind("g") == .group && f.childKind("rows") == .dataset)
            #expect(try f.readStrings("names") == ["a", "", "long name τ"])
            #expect(try f.readString("one") == "x")
            #expect(try f.stringAttribute("s") == "hello" && f.int64Attribute("i") == -7 && f.doubleAttribute("d") == 0.1)
            #expect(try f.readArray("rows") == .float32(shape: [5, 3], (1...15).map(Float.init)))
            #expect(openHandles(under: dir).count >= 2)  // negative control: open handles are seen
        }
        #expect(openHandles(under: dir).isEmpty)
    }

    @Test func wrapperErrorsNameFileObjectAndCause() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("e.h5")
        try HDF5File.create(url).close()
        let f = try HDF5File.open(url)
        do {
            _ = try f.openDataset("missing")
            Issue.record("opening a missing dataset succeeded")
        } catch let e as HDF5Error {
            #expect(e.file == url.path && e.object == "/missing" && !e.message.isEmpty)
            #expect(e.description.contains(url.path) && e.description.contains("/missing"))
        }
        #expect(throws: HDF5Error.self) { try HDF5File.create(url) }  // exclusive create
        #expect(throws: HDF5Error.self) { try HDF5File.open(dir.appendingPathComponent("none.h5")) }
    }
}
