// Cutout (SPEC §6: one 16×16 square per image, centre uniform over the image, clipped at the
// borders) as statistics over many images drawn through a BatchStream.
import DartsCore
import Testing
@testable import ImageData

@Suite struct CutoutStatisticsTests {
    /// Per axis the clipped side is min(32, c + 8) − max(0, c − 8) for a centre c uniform in
    /// 0…31: 8…15 for c < 8, 16 for 8 ≤ c ≤ 24, 15…9 for c > 24, mean 448/32 = 14 and mean
    /// square 6488/32 = 202.75. The axes are independent, so the area has mean 14² = 196 and
    /// standard deviation √(202.75² − 196²) ≈ 51.9, between 8·8 = 64 and 16·16 = 256.
    @Test("size 16 on 32×32: a clipped square of 64…256 pixels, mean area 196")
    func areaStatistics() {
        let images = 1000, passes = 4
        let data = randomDataset(.cifar10, count: images, seed: 17)
        let config = AugmentationConfig(randomCrop: false, padding: 0, horizontalFlip: false, cutout: 16)
        var stream = BatchStream(indices: Array(0..<images), batchSize: 100, seed: 3, stream: 1, augmentation: config)
        var areas: [Int] = [], notSquares = 0, channelMismatches = 0
        var sides = Set<Int>()
        for _ in 0..<(passes * stream.batchesPerPass) {
            let batch = stream.next(from: data)
            let px = batch.images.scalars
            for b in 0..<batch.count {
                var perChannel: [Int] = []
                for c in 0..<3 {
                    var count = 0, rows = Set<Int>(), cols = Set<Int>()
                    for y in 0..<32 { for x in 0..<32 where px[((b * 3 + c) * 32 + y) * 32 + x] == 0 {
                        count += 1; rows.insert(y); cols.insert(x)
                    } }
                    // A solid axis-aligned rectangle: its pixel count is its rows × its columns,
                    // which are contiguous.
                    let solid = count == rows.count * cols.count
                        && (rows.max() ?? 0) - (rows.min() ?? 0) + 1 == rows.count
                        && (cols.max() ?? 0) - (cols.min() ?? 0) + 1 == cols.count
                    if !solid { notSquares += 1 }
                    sides.insert(rows.count); sides.insert(cols.count)
                    perChannel.append(count)
                }
                if Set(perChannel).count != 1 { channelMismatches += 1 }
                areas.append(perChannel[0])
            }
        }
        #expect(areas.count == images * passes)
        #expect(notSquares == 0 && channelMismatches == 0)
        #expect(areas.allSatisfy { $0 >= 64 && $0 <= 256 })
        #expect(sides.isSubset(of: Set(8...16)) && sides.contains(8) && sides.contains(16), "sides \(sides.sorted())")
        // Full squares (both centres in 8…24) have probability (17/32)² ≈ 0.28.
        let full = Double(areas.filter { $0 == 256 }.count) / Double(areas.count)
        #expect(abs(full - 0.2822) < 0.04, "fraction of unclipped squares \(full)")
        // 4000 images: the mean's standard deviation is 51.9/√4000 ≈ 0.82; 4 is about five of them.
        let mean = Double(areas.reduce(0, +)) / Double(areas.count)
        #expect(abs(mean - 196) < 4, "mean cutout area \(mean)")
    }

    @Test("the centre is uniform over all 32 rows and columns")
    func centreUniform() {
        var rng = PhiloxRandom(seed: 12)
        let config = AugmentationConfig(randomCrop: false, padding: 0, horizontalFlip: false, cutout: 16)
        var rows = [Int](repeating: 0, count: 32), cols = rows
        let n = 32_000
        for _ in 0..<n {
            let d = AugmentationDraw.draw(config, using: &rng)
            rows[d.cutoutY] += 1; cols[d.cutoutX] += 1
        }
        // 1000 expected per value, standard deviation ≈ 31; ±160 is five of them.
        #expect(rows.allSatisfy { abs($0 - 1000) < 160 } && cols.allSatisfy { abs($0 - 1000) < 160 }, "rows \(rows), columns \(cols)")
    }
}
