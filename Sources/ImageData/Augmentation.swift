// Augmentation settings and the per-image random draws, taken from the RNG in one fixed order.
import DartsCore

/// What augmentation a batch stream applies (SPEC §2: crop + flip during search; §6: cutout 16
/// when training a discovered architecture).
public struct AugmentationConfig: Codable, Sendable, Equatable {
    /// Random crop of a 32×32 window from the image zero-padded by `padding` on every side.
    public var randomCrop: Bool
    /// Padding for the random crop, in pixels (raw zero bytes, padded before normalisation).
    public var padding: Int
    /// Horizontal flip with probability ½.
    public var horizontalFlip: Bool
    /// Side of the cutout square (0 = off).
    public var cutout: Int

    public init(randomCrop: Bool = true, padding: Int = 4, horizontalFlip: Bool = true, cutout: Int = 0) {
        precondition(padding >= 0 && padding <= DatasetKind.imageSide, "crop padding must lie in 0...32, got \(padding)")
        precondition(cutout >= 0, "cutout size must not be negative, got \(cutout)")
        self.randomCrop = randomCrop
        self.padding = padding
        self.horizontalFlip = horizontalFlip
        self.cutout = cutout
    }

    /// The search default (SPEC §2): crop with 4-pixel padding, flip, no cutout.
    public static let search = AugmentationConfig()
    /// No augmentation at all: batches are the normalised images as stored.
    public static let none = AugmentationConfig(randomCrop: false, padding: 0, horizontalFlip: false, cutout: 0)

    /// Whether this configuration changes images at all.
    public var isIdentity: Bool { !randomCrop && !horizontalFlip && cutout == 0 }
}

/// The random choices for one image: where the crop window sits, whether to flip, where cutout goes.
///
/// Output pixel `(y, x)` before the flip is source pixel `(y + shiftY, x + shiftX)`, or black
/// (raw 0) when that lies outside the image; torchvision's crop offset `top` in the padded image
/// is `shiftY + padding`. The flip then mirrors columns, and cutout (DARTS's `Cutout`) zeroes the
/// *normalised* values of rows `[cutoutY − s/2, cutoutY + s/2)` × the same for columns, clipped to
/// the image, where `s` is the cutout size and the centre is uniform over all 32×32 pixels.
public struct AugmentationDraw: Equatable, Sendable {
    public var shiftY: Int
    public var shiftX: Int
    public var flip: Bool
    /// Cutout centre; ignored when the configuration's cutout is 0.
    public var cutoutY: Int
    public var cutoutX: Int

    public init(shiftY: Int = 0, shiftX: Int = 0, flip: Bool = false, cutoutY: Int = 0, cutoutX: Int = 0) {
        self.shiftY = shiftY; self.shiftX = shiftX; self.flip = flip
        self.cutoutY = cutoutY; self.cutoutX = cutoutX
    }

    /// The identity: no shift, no flip.
    public static let identity = AugmentationDraw()

    /// Draws one image's choices. The order is fixed and part of the reproducibility contract:
    /// crop row offset, crop column offset (each `nextInt(below: 2·padding + 1)`, only when
    /// `randomCrop`), flip (`nextInt(below: 2) == 1`, only when `horizontalFlip`), cutout centre
    /// row then column (each `nextInt(below: 32)`, only when `cutout > 0`). Disabled steps draw
    /// nothing.
    public static func draw(_ config: AugmentationConfig, using rng: inout PhiloxRandom) -> AugmentationDraw {
        var d = AugmentationDraw()
        if config.randomCrop {
            let span = 2 * config.padding + 1
            d.shiftY = rng.nextInt(below: span) - config.padding
            d.shiftX = rng.nextInt(below: span) - config.padding
        }
        if config.horizontalFlip { d.flip = rng.nextInt(below: 2) == 1 }
        if config.cutout > 0 {
            d.cutoutY = rng.nextInt(below: DatasetKind.imageSide)
            d.cutoutX = rng.nextInt(below: DatasetKind.imageSide)
        }
        return d
    }
}
