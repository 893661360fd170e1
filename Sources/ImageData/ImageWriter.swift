// The hot loop: one raw uint8 image → one augmented, normalised Float image in the batch buffer.

/// Writes augmented images straight into a batch tensor's buffer, one row at a time.
enum ImageWriter {
    static let side = DatasetKind.imageSide

    /// Writes image `src` (channels × 32 × 32 bytes) into `dst` (channels × 32 × 32 floats)
    /// through `draw`: crop shift with black (raw 0) fill, optional mirror, then cutout.
    /// `table` is a `Normalizer.table`.
    @inline(__always)
    static func write(src: UnsafePointer<UInt8>, channels: Int, draw: AugmentationDraw, cutout: Int,
                      table: UnsafePointer<Float>, dst: UnsafeMutablePointer<Float>) {
        let n = side
        let sx = draw.shiftX, sy = draw.shiftY
        // Columns of the output row whose source pixel is inside the image.
        let x0: Int, x1: Int
        if draw.flip { x0 = max(0, sx); x1 = min(n, n + sx) } else { x0 = max(0, -sx); x1 = min(n, n - sx) }
        for c in 0..<channels {
            let tab = table + c &* 256
            let black = tab[0]
            for y in 0..<n {
                let d = dst + (c &* n &+ y) &* n
                let srcY = y &+ sy
                if srcY < 0 || srcY >= n || x0 >= x1 {
                    d.update(repeating: black, count: n)
                    continue
                }
                let s = src + (c &* n &+ srcY) &* n
                var x = 0
                while x < x0 { d[x] = black; x &+= 1 }
                if draw.flip {
                    let base = n &- 1 &+ sx  // output x reads source column base − x
                    while x < x1 { d[x] = tab[Int(s[base &- x])]; x &+= 1 }
                } else {
                    let t = s + sx
                    while x < x1 { d[x] = tab[Int(t[x])]; x &+= 1 }
                }
                while x < n { d[x] = black; x &+= 1 }
            }
        }
        if cutout > 0 {
            let half = cutout / 2
            let ya = max(0, draw.cutoutY - half), yb = min(n, draw.cutoutY + half)
            let xa = max(0, draw.cutoutX - half), xb = min(n, draw.cutoutX + half)
            guard ya < yb, xa < xb else { return }
            for c in 0..<channels {
                for y in ya..<yb {
                    (dst + (c * n + y) * n + xa).update(repeating: 0, count: xb - xa)
                }
            }
        }
    }
}
