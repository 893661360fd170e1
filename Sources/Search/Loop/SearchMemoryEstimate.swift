// The peak memory of a search, estimated from its configuration before the supernet is built
// (MemoryBudget.swift refuses one that cannot fit). Calibrated against `bench step`'s measured
// peak RSS in docs/BENCHMARKS.md: 4294 MB at C 16, L 8, batch 64 and 662 MB at C 8, L 5, batch 32
// (the estimate gives 4.31 GB and 0.67 GB; SearchMemoryTests keeps it within 1.5×).

import ImageData
import Training

extension SearchConfiguration {
    /// Feature maps kept for backward per edge of a cell, per image and channel: the eight ops'
    /// intermediates (two sep convs ≈ 8 each, dil convs 4, pools 2), their weighted sum and the
    /// α step's forward on top, fitted to the measured peaks.
    static let keptMapsPerEdge = 17.0
    /// The process without the model (binary, libraries, worker stacks, allocator slack).
    static let baseBytes = 40e6

    /// Estimated peak bytes: activations kept for backward, weights with their gradients and
    /// momentum (and per-image gradient buffers, 16 bytes per weight in all), and the dataset.
    public var estimatedPeakBytes: Double { estimatedModelBytes + estimatedDataBytes }

    /// The model's part of `estimatedPeakBytes` (what `bench` measures on synthetic data).
    public var estimatedModelBytes: Double {
        let cells = CellLayoutSums(channels: initChannels, layers: layers)
        let activations = Self.keptMapsPerEdge * 14 * Double(batchSize) * cells.featureElements * 4
        let weights = Self.estimatedWeights(cells) * 16

        return Self.baseBytes + activations + weights
    }

    /// Weights of the supernet: per cell 14 edges × (1×1 convs: two sep convs 2C² each, two dil
    /// convs C² each; depthwise: 2·9C + 2·25C + 9C + 25C) and the two preprocessing 1×1 convs (≈ 8C²).
    static func estimatedWeights(_ cells: CellLayoutSums) -> Double {
        14 * (6 * cells.channelsSquared + 102 * cells.channels) + 8 * cells.channelsSquared
    }

    /// The images in memory (bytes; twice, for the decompression of gzipped files).
    public var estimatedDataBytes: Double {
        let images = Double(subset ?? dataset.nominalCount(.train))
        let data = images * Double(dataset.channels * DatasetKind.imageSide * DatasetKind.imageSide)
        return 2 * data
    }

    /// Refuses a search whose estimated peak exceeds `available` bytes (default: this machine's);
    /// `includingData: false` for the benchmarks, which run on a few synthetic batches.
    public func validateFitsMemory(includingData: Bool = true, available: Double? = MachineMemory.availableBytes()) throws {
        try MachineMemory.check(estimate: includingData ? estimatedPeakBytes : estimatedModelBytes, of: "the search supernet",
                                settings: "--init-channels \(initChannels), --layers \(layers), --batch-size \(batchSize)",
                                lower: "--init-channels, --layers or --batch-size", available: available)
    }
}
