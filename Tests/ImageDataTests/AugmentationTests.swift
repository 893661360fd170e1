// Crop, flip, cutout and normalisation on known images, against a naive torchvision-style oracle.
import DartsCore
import Testing
@testable import ImageData

/// The obvious implementation, step by step as torchvision and DARTS do it: pad the raw image
/// with black, crop at (top, left), mirror, `ToTensor`, `Normalize`, then `Cutout`.
func oracle(_ data: ImageDataset, index: Int, draw: AugmentationDraw, cutout: Int, padding: Int = 4) -> [Float] {
    let n = 32, c = data.channels, size = n + 2 * padding
    let image = Array(data.pixels[(index * data.imageBytes)..<((index + 1) * data.imageBytes)])
    var padded = [UInt8](repeating: 0, count: c * size * size)
    for ch in 0..<c { for y in 0..<n { for x in 0..<n {
        padded[(ch * size + y + padding) * size + x + padding] = image[(ch * n + y) * n + x]
    } } }
    let top = draw.shiftY + padding, left = draw.shiftX + padding
    var out = [Float](repeating: 0, count: c * n * n)
    for ch in 0..<c { for y in 0..<n { for x in 0..<n {
        let cx = draw.flip ? n - 1 - x : x
        let v = padded[(ch * size + y + top) * size + cx + left]
        out[(ch * n + y) * n + x] = (Float(v) / 255 - data.kind.mean[ch]) / data.kind.std[ch]
    } } }
    if cutout > 0 {
        for ch in 0..<c { for y in 0..<n { for x in 0..<n
            where y >= draw.cutoutY - cutout / 2 && y < draw.cutoutY + cutout / 2
               && x >= draw.cutoutX - cutout / 2 && x < draw.cutoutX + cutout / 2 {
            out[(ch * n + y) * n + x] = 0
        } } }
    }
    return out
}

/// A dataset of `count` random images of `kind`.
func randomDataset(_ kind: DatasetKind, count: Int, seed: UInt64 = 9) -> ImageDataset {
    var r = FixtureRandom(seed)
    let per = kind.channels * 1024
    return ImageDataset(kind: kind, pixels: r.bytes(count * per), labels: (0..<count).map { _ in Int32(r.label(kind.classes)) })
}

@Suite struct AugmentationTests {
    @Test func identityIsPlainNormalisation() {
        let data = randomDataset(.cifar10, count: 3)
        let batch = data.makeBatch(indices: [2, 0])
        #expect(batch.images.shape == [2, 3, 32, 32])
        #expect(batch.indices == [2, 0] && batch.labels == [Int(data.labels[2]), Int(data.labels[0])])
        for (b, i) in [2, 0].enumerated() {
            let slice = Array(batch.images.scalars[(b * 3072)..<((b + 1) * 3072)])
            #expect(slice == oracle(data, index: i, draw: .identity, cutout: 0))
        }
        // Black normalises to −mean/std; white to (1 − mean)/std.
        let nz = Normalizer(.cifar10)
        #expect(nz.value(0, channel: 1) == -DatasetKind.cifar10.mean[1] / DatasetKind.cifar10.std[1])
        #expect(abs(nz.value(255, channel: 2) - (1 - 0.44653124) / 0.26158768) < 1e-6)
    }

    @Test func cropShiftsByHand() {
        // Image whose red pixel at (y, x) has raw value y·7 + x/4 + 1 (never black).
        var px = [UInt8](repeating: 0, count: 3072)
        for y in 0..<32 { for x in 0..<32 { px[y * 32 + x] = UInt8(y * 7 + x / 4 + 1) } }
        let data = ImageDataset(kind: .cifar10, pixels: px, labels: [0])
        let nz = Normalizer(.cifar10)
        let b = data.makeBatch(indices: [0], draws: [AugmentationDraw(shiftY: 2, shiftX: -3)]).images
        // Output (y, x) shows source (y + 2, x − 3): row 0 col 3 is source (2, 0); cols 0…2 are padding.
        #expect(b[flat: 3] == nz.value(px[2 * 32 + 0], channel: 0))
        #expect(b[flat: 31] == nz.value(px[2 * 32 + 28], channel: 0))
        for x in 0..<3 { #expect(b[flat: x] == nz.value(0, channel: 0)) }
        // The last two rows come from below the image: black.
        for x in 0..<32 { #expect(b[flat: 30 * 32 + x] == nz.value(0, channel: 0) && b[flat: 31 * 32 + x] == nz.value(0, channel: 0)) }
        // Flip: output (y, x) is source (y, 31 − x).
        let f = data.makeBatch(indices: [0], draws: [AugmentationDraw(flip: true)]).images
        for y in [0, 13, 31] { for x in [0, 1, 30, 31] { #expect(f[flat: y * 32 + x] == nz.value(px[y * 32 + 31 - x], channel: 0)) } }
    }

    @Test(arguments: [DatasetKind.cifar10, .fashionMNIST])
    func everyCropAndFlipMatchesOracle(kind: DatasetKind) {
        let data = randomDataset(kind, count: 2)
        for sy in -4...4 { for sx in -4...4 { for flip in [false, true] {
            let d = AugmentationDraw(shiftY: sy, shiftX: sx, flip: flip)
            let got = data.makeBatch(indices: [1], draws: [d]).images.scalars
            #expect(got == oracle(data, index: 1, draw: d, cutout: 0), "shift (\(sy), \(sx)) flip \(flip)")
        } } }
    }

    @Test func cutoutSquaresClippedAtBorders() {
        let data = randomDataset(.cifar10, count: 1)
        for (cy, cx, size) in [(0, 0, 16), (20, 10, 16), (31, 31, 16), (5, 27, 7), (16, 16, 1)] {
            let d = AugmentationDraw(shiftY: 1, shiftX: -2, flip: true, cutoutY: cy, cutoutX: cx)
            let got = data.makeBatch(indices: [0], draws: [d], cutout: size).images.scalars
            #expect(got == oracle(data, index: 0, draw: d, cutout: size), "centre (\(cy), \(cx)) size \(size)")
        }
        // Centre (0, 0), size 16: rows and columns 0…7 are zero in every channel, (8, 0) is not.
        let d = AugmentationDraw(cutoutY: 0, cutoutX: 0)
        let img = data.makeBatch(indices: [0], draws: [d], cutout: 16).images
        #expect(img[flat: 2 * 1024 + 7 * 32 + 7] == 0 && img[flat: 8 * 32] != 0 && img[flat: 8] != 0)
    }

    @Test func drawOrderIsFixed() {
        let config = AugmentationConfig(randomCrop: true, padding: 4, horizontalFlip: true, cutout: 16)
        var a = PhiloxRandom(seed: 42, stream: 3), b = a
        for _ in 0..<50 {
            let d = AugmentationDraw.draw(config, using: &a)
            let dy = b.nextInt(below: 9) - 4, dx = b.nextInt(below: 9) - 4
            let flip = b.nextInt(below: 2) == 1
            let cy = b.nextInt(below: 32), cx = b.nextInt(below: 32)
            #expect(d == AugmentationDraw(shiftY: dy, shiftX: dx, flip: flip, cutoutY: cy, cutoutX: cx))
        }
        #expect(a == b)
        // Disabled steps draw nothing.
        var c = PhiloxRandom(seed: 1)
        let before = c
        #expect(AugmentationDraw.draw(.none, using: &c) == .identity && c == before)
        let flipOnly = AugmentationConfig(randomCrop: false, horizontalFlip: true)
        var e = c, g = c
        _ = AugmentationDraw.draw(flipOnly, using: &e)
        _ = g.nextInt(below: 2)
        #expect(e == g)
    }

    @Test func drawsCoverEveryOffsetAndBothFlips() {
        var rng = PhiloxRandom(seed: 5)
        var shifts = Set<Int>(), flips = 0
        for _ in 0..<2000 {
            let d = AugmentationDraw.draw(.search, using: &rng)
            shifts.insert((d.shiftY + 4) * 9 + d.shiftX + 4)
            flips += d.flip ? 1 : 0
        }
        #expect(shifts.count == 81)
        #expect(flips > 850 && flips < 1150)
    }
}
