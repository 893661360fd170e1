// The peak memory of an evaluation, estimated from its configuration before the network is built
// (MemoryBudget.swift refuses one that cannot fit). Calibrated against `bench eval`'s measured
// peak RSS in docs/BENCHMARKS.md: 4248 MB at C 36, L 20, batch 96 and 661 MB at C 16, L 8, batch
// 64 (the estimate gives 4.34 GB and 0.54 GB; EvaluationMemoryTests keeps it within 1.5×).

import ImageData
import Training

extension EvaluationRunConfiguration {
    /// Feature maps kept for backward per op of a cell (8 ops), per image and channel, fitted to
    /// the measured peaks (a sep conv keeps ≈ 8, drop path and the node sums add, identities none).
    static let keptMapsPerOp = 3.3
    /// The process without the model, the stem and auxiliary head's fixed part.
    static let baseBytes = 60e6

    /// Estimated peak bytes: activations kept for backward, weights with gradients and momentum
    /// (16 bytes per weight), and both splits' images.
    public var estimatedPeakBytes: Double { estimatedModelBytes + estimatedDataBytes }

    /// The model's part of `estimatedPeakBytes` (what `bench` measures on synthetic data).
    public var estimatedModelBytes: Double {
        let cells = CellLayoutSums(channels: initChannels, layers: layers)
        let activations = Self.keptMapsPerOp * 8 * Double(batchSize) * cells.featureElements * 4
        let weights = Self.estimatedWeights(cells) * 16
        return Self.baseBytes + activations + weights
    }

    /// Weights of the network: per cell eight ops of at most a sep conv's (2C² + 18C) and the two
    /// preprocessing 1×1 convs (≈ 8C²).
    static func estimatedWeights(_ cells: CellLayoutSums) -> Double {
        8 * (2 * cells.channelsSquared + 18 * cells.channels) + 8 * cells.channelsSquared
    }

    /// The images in memory (bytes; twice, for the decompression of gzipped files).
    public var estimatedDataBytes: Double {
        let images = Double(subset ?? dataset.nominalCount(.train)) + Double(testSubset ?? dataset.nominalCount(.test))
        let data = images * Double(dataset.channels * DatasetKind.imageSide * DatasetKind.imageSide)
        return 2 * data
    }

    /// Refuses an evaluation whose estimated peak exceeds `available` bytes (default: this machine's);
    /// `includingData: false` for the benchmarks, which run on a few synthetic batches.
    public func validateFitsMemory(includingData: Bool = true, available: Double? = MachineMemory.availableBytes()) throws {
        try MachineMemory.check(estimate: includingData ? estimatedPeakBytes : estimatedModelBytes, of: "the evaluation network",
                                settings: "--init-channels \(initChannels), --layers \(layers), --batch-size \(batchSize)",
                                lower: "--init-channels, --layers or --batch-size", available: available)
    }
}
