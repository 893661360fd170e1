// swift-tools-version:6.0
// dartsprime: DARTS-PRIME neural architecture search on the CPU, reproducible from its checkpoints.
import PackageDescription

/// DartsCore's SIMD8 kernels compile to AVX2 (one ymm op instead of two SSE ops) on x86-64; no
/// FMA contraction happens (Swift keeps IEEE order), so results equal the portable build's.
/// DARTSPRIME_PORTABLE=1 builds for baseline x86-64.
let coreSettings: [SwiftSetting] = {
    #if arch(x86_64)
    if Context.environment["DARTSPRIME_PORTABLE"] == nil { return [.unsafeFlags(["-target-cpu", "haswell"])] }
    #endif
    return []
}()

let package = Package(
    name: "dartsprime",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dartsprime", targets: ["dartsprime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // C libraries, each behind its own system-library module (pkg-config finds them).
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // Tensor, kernels, reverse-mode autodiff, counter-based RNG. Knows BLAS (dlopen'ed after pinning its kernels: BLAS/OpenBLAS.swift), nothing else.
        .target(name: "DartsCore", dependencies: ["CGemm"], swiftSettings: coreSettings),
        // The large products' GEMM kernels (AVX-512, AVX2, scalar): one FMA chain per element, so
        // every instruction set gives the same bits (DartsCore/Kernels/ChainGemm.swift).
        .target(name: "CGemm", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
        // Layers under their PyTorch names, the op builder, initializers, optimizers, schedules, clipping.
        .target(name: "DartsNN", dependencies: ["DartsCore"]),
        // HDF5 wrapper and the run directory: knows named arrays, not networks.
        .target(name: "RunStore", dependencies: [
            "CHDF5",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // CIFAR-10/100 and Fashion-MNIST readers, augmentation, resumable sampler.
        .target(name: "ImageData", dependencies: ["DartsCore", "CZlib"]),
        // The Penn Treebank corpus, batchify and the truncated-BPTT batch streams of SPEC §7.
        .target(name: "TextData", dependencies: ["DartsCore"]),
        // Operation names, genotypes, projection onto discrete architectures.
        .target(name: "Architecture"),
        // The step loop, run kinds, the state codec and run-directory start/resume/fork: what every
        // kind of run shares. Knows tensors, optimizers and the store, not models or data.
        .target(name: "Training", dependencies: ["DartsCore", "DartsNN", "RunStore"]),
        // Supernet, schedules, regularisers, and the CNN search as a run kind of the trainer.
        .target(name: "Search", dependencies: ["DartsCore", "DartsNN", "RunStore", "ImageData", "TextData", "Architecture", "Training"]),
        // The evaluation network of SPEC §6 (a genotype's cells trained from scratch), its loss,
        // and the evaluation as a run kind of the trainer.
        .target(name: "Evaluation", dependencies: ["DartsCore", "DartsNN", "Architecture", "ImageData", "TextData", "RunStore", "Training"]),
        // Reads run directories back: replay of discretisation, state comparison, run diffs and
        // summaries (and, later, audits and exports).
        .target(name: "Analysis", dependencies: ["RunStore", "Architecture", "Search", "Evaluation", "ImageData", "TextData", "Training"]),
        // Batch-scheduler job scripts (Slurm job arrays for the experiment grid): text and settings
        // only, so it imports nothing.
        .target(name: "Cluster"),
        // Benchmarks of kernels, data, commits and search steps, and the crash test's commit loop:
        // what only `dartsprime bench` and `store-torture` run stays out of the library modules.
        .target(name: "Benchmarks", dependencies: ["Search", "Evaluation", "Architecture", "Training", "RunStore", "ImageData", "DartsCore", "DartsNN"]),
        // prctl(2) for the experiment queue's children (variadic in C, so not callable from Swift).
        .target(name: "CProcessControl"),
        // The command-line tool: option groups, one exit path, the commands.
        .executableTarget(name: "dartsprime", dependencies: [
            "Search", "Training", "Analysis", "Evaluation", "RunStore", "ImageData", "TextData", "Architecture", "DartsCore", "DartsNN", "Benchmarks", "Cluster", "CProcessControl",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "DartsCoreTests", dependencies: ["DartsCore", "CGemm"]),
        .testTarget(name: "DartsNNTests", dependencies: ["DartsNN", "DartsCore"]),
        .testTarget(name: "RunStoreTests", dependencies: ["RunStore", "CHDF5"]),
        .testTarget(name: "ImageDataTests", dependencies: ["ImageData", "DartsCore"]),
        .testTarget(name: "TextDataTests", dependencies: ["TextData", "DartsCore"]),
        .testTarget(name: "ArchitectureTests", dependencies: ["Architecture"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "RunStore", "DartsCore", "DartsNN"]),
        // The PyTorch fixtures' reader, shared by the test targets that compare against them.
        .target(name: "FixtureSupport", dependencies: ["CHDF5"], path: "Tests/FixtureSupport"),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "DartsCore", "DartsNN", "Architecture", "FixtureSupport", "Training", "RunStore", "ImageData", "TextData", "TestSupport", "Search"]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "Training", "TestSupport", "FixtureSupport", "RunStore", "CHDF5", "DartsCore", "DartsNN", "Architecture", "ImageData", "TextData"]),
        // Helpers shared by test targets (tiny search configurations, synthetic data).
        .target(name: "TestSupport", dependencies: ["Search", "ImageData", "DartsCore"], path: "Tests/TestSupport"),
        // Reads back what `plot` writes (SVG as XML, DOT edges), shared by the plot tests.
        .target(name: "PlotInspection", path: "Tests/PlotInspection"),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "TestSupport", "Search", "Evaluation", "TextData", "Training", "RunStore", "Architecture", "ImageData", "DartsCore", "PlotInspection"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "ImageData", "Search", "Evaluation"]),
        .testTarget(name: "DartsPrimeCLITests", dependencies: [
            "dartsprime", "Search", "Training", "ImageData", "RunStore", "Cluster",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Children with a clean signal mask, for tests that signal shells and daemons.
        .target(name: "ProcessSupport", path: "Tests/ProcessSupport"),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "ProcessSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["RunStore", "Benchmarks", "PlotInspection", "ProcessSupport", "Cluster", "TextData"]),
    ]
)
