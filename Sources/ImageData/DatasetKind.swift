// The datasets the search runs on, with their shapes, file names and normalisation constants.

/// Which part of a dataset to read.
public enum DataSplit: String, CaseIterable, Codable, Sendable {
    case train, test
}

/// A supported image dataset.
public enum DatasetKind: String, CaseIterable, Codable, Sendable {
    case cifar10
    case cifar100
    case fashionMNIST = "fashion-mnist"

    /// Where the data lives when `--data` is not given: Debian's `dataset-fashion-mnist` package
    /// for Fashion-MNIST; for CIFAR the folder the official binary tarball unpacks to, under `data/`.
    public var defaultDirectory: String {
        switch self {
        case .cifar10: return "data/cifar-10-batches-bin"
        case .cifar100: return "data/cifar-100-binary"
        case .fashionMNIST: return "/usr/share/datasets/fashion-mnist"
        }
    }

    /// Human-readable name, as errors print it.
    public var displayName: String {
        switch self {
        case .cifar10: return "CIFAR-10"
        case .cifar100: return "CIFAR-100"
        case .fashionMNIST: return "Fashion-MNIST"
        }
    }

    public var classes: Int {
        switch self {
        case .cifar10, .fashionMNIST: return 10
        case .cifar100: return 100
        }
    }

    public var channels: Int {
        switch self {
        case .cifar10, .cifar100: return 3
        case .fashionMNIST: return 1
        }
    }

    /// Side of the stored images: always 32 (Fashion-MNIST's 28×28 are zero-padded, SPEC §1).
    public static let imageSide = 32

    /// Per-channel mean of the training images scaled to [0, 1].
    ///
    /// CIFAR-10: the DARTS reference values (SPEC §2). CIFAR-100: the usual values computed the
    /// same way (population statistics over all training pixels). Fashion-MNIST: computed by us
    /// over the 60 000 training images *after* zero-padding to 32×32, because that is what the
    /// network sees (over the raw 28×28 they would be 0.28604060 / 0.35302424); the test
    /// `fashionMNISTStatistics` recomputes them from the real files when they are installed.
    public var mean: [Float] {
        switch self {
        case .cifar10: return [0.49139968, 0.48215827, 0.44653124]
        case .cifar100: return [0.50707516, 0.48654887, 0.44091784]
        case .fashionMNIST: return [0.21899983]
        }
    }

    /// Per-channel standard deviation (population, over all training pixels); see `mean`.
    public var std: [Float] {
        switch self {
        case .cifar10: return [0.24703233, 0.24348505, 0.26158768]
        case .cifar100: return [0.26733429, 0.25643846, 0.27615047]
        case .fashionMNIST: return [0.33181137]
        }
    }

    /// Images in the official files of a split (what a memory estimate assumes for "all").
    public func nominalCount(_ split: DataSplit) -> Int {
        switch (self, split) {
        case (.cifar10, .train), (.cifar100, .train): return 50_000
        case (.fashionMNIST, .train): return 60_000
        case (_, .test): return 10_000
        }
    }

    /// Files of a split, in the order their records are concatenated.
    public func fileNames(_ split: DataSplit) -> [String] {
        switch (self, split) {
        case (.cifar10, .train): return (1...5).map { "data_batch_\($0).bin" }
        case (.cifar10, .test): return ["test_batch.bin"]
        case (.cifar100, .train): return ["train.bin"]
        case (.cifar100, .test): return ["test.bin"]
        case (.fashionMNIST, .train): return ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
        case (.fashionMNIST, .test): return ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
        }
    }
}
