// Decoding of the three file formats, checked pixel by pixel against the bytes the tests wrote.
import Foundation
import Testing
@testable import ImageData

/// `data` holds exactly `samples`, in order.
func expectHolds(_ data: ImageDataset, _ samples: [ExpectedSample], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(data.count == samples.count, sourceLocation: sourceLocation)
    #expect(data.pixels.count == samples.count * data.imageBytes, sourceLocation: sourceLocation)
    guard data.count == samples.count else { return }
    for (i, s) in samples.enumerated() {
        #expect(data.labels[i] == s.label, "label of sample \(i)", sourceLocation: sourceLocation)
        let got = Array(data.pixels[(i * data.imageBytes)..<((i + 1) * data.imageBytes)])
        #expect(got == s.pixels, "pixels of sample \(i)", sourceLocation: sourceLocation)
    }
}

@Suite struct ReaderTests {
    @Test func cifar10TrainAndTest() throws {
        let dir = try TempFolder()
        let expected = try Formats.writeCIFAR10(dir)
        let train = try ImageDataset.load(.cifar10, directory: dir.url, split: .train)
        #expect(train.kind == .cifar10 && train.channels == 3)
        expectHolds(train, expected.train)
        expectHolds(try ImageDataset.load(.cifar10, directory: dir.url, split: .test), expected.test)
    }

    @Test func cifar10SubsetTakesFirstImagesAcrossFiles() throws {
        let dir = try TempFolder()
        let expected = try Formats.writeCIFAR10(dir)
        for n in [1, 2, 4, 6, 10] {
            let data = try ImageDataset.load(.cifar10, directory: dir.url, split: .train, subset: n)
            expectHolds(data, Array(expected.train.prefix(n)))
        }
    }

    @Test func cifar100UsesFineLabels() throws {
        let dir = try TempFolder()
        var r = FixtureRandom(3)
        let train = Formats.cifar(.cifar100, records: 4, random: &r)
        let test = Formats.cifar(.cifar100, records: 2, random: &r)
        try dir.write("train.bin", train.file)
        try dir.write("test.bin", test.file)
        expectHolds(try ImageDataset.load(.cifar100, directory: dir.url, split: .train), train.samples)
        expectHolds(try ImageDataset.load(.cifar100, directory: dir.url, split: .test), test.samples)
        // The fine label is the second byte: check one by hand.
        let data = try ImageDataset.load(.cifar100, directory: dir.url, split: .train)
        #expect(data.labels[1] == Int32(train.file[3074 + 1]))
    }

    @Test(arguments: [false, true])
    func fashionMNISTPlainOrGzipped(gzipped: Bool) throws {
        let dir = try TempFolder()
        var r = FixtureRandom(5)
        let train = Formats.idx(count: 5, random: &r), test = Formats.idx(count: 2, random: &r)
        let write = gzipped ? dir.writeGzip : dir.write
        let suffix = gzipped ? ".gz" : ""
        try write("train-images-idx3-ubyte" + suffix, train.images)
        try write("train-labels-idx1-ubyte" + suffix, train.labels)
        try write("t10k-images-idx3-ubyte" + suffix, test.images)
        try write("t10k-labels-idx1-ubyte" + suffix, test.labels)
        let data = try ImageDataset.load(.fashionMNIST, directory: dir.url, split: .train)
        #expect(data.channels == 1)
        expectHolds(data, train.samples)
        expectHolds(try ImageDataset.load(.fashionMNIST, directory: dir.url, split: .test), test.samples)
        expectHolds(try ImageDataset.load(.fashionMNIST, directory: dir.url, split: .train, subset: 3),
                    Array(train.samples.prefix(3)))
        // The 2-pixel border is black and the first raw pixel lands at (2, 2).
        for i in 0..<32 {
            #expect(data.pixels[i] == 0 && data.pixels[31 * 32 + i] == 0)
            #expect(data.pixels[i * 32] == 0 && data.pixels[i * 32 + 31] == 0 && data.pixels[i * 32 + 1] == 0)
        }
        #expect(data.pixels[2 * 32 + 2] == train.images[16])
        #expect(data.pixels[29 * 32 + 29] == train.images[16 + 783])
    }

    @Test func defaultsAndConstants() {
        #expect(DatasetKind.fashionMNIST.defaultDirectory == "/usr/share/datasets/fashion-mnist")
        #expect(DatasetKind(rawValue: "fashion-mnist") == .fashionMNIST)
        for kind in DatasetKind.allCases {
            #expect(kind.mean.count == kind.channels && kind.std.count == kind.channels)
        }
        #expect(DatasetKind.cifar100.classes == 100 && DatasetKind.cifar10.classes == 10)
    }
}
