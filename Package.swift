// swift-tools-version: 6.1
// RNNKit: Keras recurrent models outside Python.
// Dependencies point one way: rnnkit -> KerasFormat -> {RecurrentLayers -> CKernels, HDF5 -> CHDF5}.

import PackageDescription

import class Foundation.ProcessInfo

let package = Package(
    name: "RNNKit",
    products: [
        .library(name: "HDF5", targets: ["HDF5"]),
        .library(name: "RecurrentLayers", targets: ["RecurrentLayers"]),
        .library(name: "KerasFormat", targets: ["KerasFormat"]),
        .executable(name: "rnnkit", targets: ["rnnkit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: []
)

// MARK: - C

package.targets += [
    // libhdf5 found through pkg-config, plus a header of static inline functions for what Swift cannot import.
    .systemLibrary(
        name: "CHDF5",
        pkgConfig: "hdf5",
        providers: [.apt(["libhdf5-dev", "pkgconf"]), .brew(["hdf5", "pkgconf"])]
    ),
    // OpenBLAS's SGEMM for the layer module's matrix products on Linux (macOS uses Accelerate).
    .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    // Vectorised exp, sigmoid and tanh for the recurrent step (plain C for the loop vectoriser).
    .target(name: "CKernels"),
]

// MARK: - Modules

package.targets += [
    .target(name: "HDF5", dependencies: ["CHDF5"]),
    .target(
        name: "RecurrentLayers",
        dependencies: ["CKernels", .target(name: "CBLAS", condition: .when(platforms: [.linux]))]
    ),
    .target(
        name: "KerasFormat",
        dependencies: [
            "HDF5",
            "RecurrentLayers",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ],
        // Schemas/ (a link to the package's Schemas/, the one copy) compiled into the binary.
        resources: [.embedInCode("Schemas")]
    ),
]

// MARK: - Tool

package.targets += [
    .executableTarget(
        name: "rnnkit",
        dependencies: [
            "KerasFormat",
            "RecurrentLayers",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]
    )
]

// MARK: - Tests

package.targets += [
    // The closeness check and fixture decoding every suite shares (built only with the tests).
    .target(name: "TestSupport", dependencies: ["RecurrentLayers"], path: "Tests/TestSupport", exclude: ["README.md"]),
    .testTarget(name: "HDF5Tests", dependencies: ["HDF5"]),
    .testTarget(name: "RecurrentLayersTests", dependencies: ["RecurrentLayers", "TestSupport"]),
    .testTarget(name: "KerasFormatTests", dependencies: ["KerasFormat", "HDF5", "TestSupport"]),
    .testTarget(name: "rnnkitTests", dependencies: ["rnnkit", "KerasFormat", "TestSupport"]),
]

// MARK: - Benchmarks (only with RNNKIT_BENCHMARKS set, so that users never resolve the benchmark tool)

// Allocation counts per forward pass and per streamed step, from ordo-one/benchmark's MallocInterposer:
//   RNNKIT_BENCHMARKS=1 swift package --allow-writing-to-package-directory benchmark --target Allocations
if ProcessInfo.processInfo.environment["RNNKIT_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "Allocations",
            dependencies: ["RecurrentLayers", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/Allocations",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
}

// MARK: - Documentation (only with RNNKIT_DOCS set, for the same reason)

// DocC catalogs in Sources/<Module>/<Module>.docc:
//   RNNKIT_DOCS=1 swift package generate-documentation --target KerasFormat
if ProcessInfo.processInfo.environment["RNNKIT_DOCS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/swiftlang/swift-docc-plugin", exact: "1.5.0"))
}

// MARK: - Settings for every target

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
