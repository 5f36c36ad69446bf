// swift-tools-version: 6.1
// An app that uses RNNKit as a library: it loads the bundled waveform model and classifies signals read
// from a CSV file. It depends on RNNKit by path (in your own package: the repository's URL and a version).

import PackageDescription

let package = Package(
    name: "WaveformClassifier",
    dependencies: [.package(name: "RNNKit", path: "../..")],
    targets: [
        .executableTarget(
            name: "waveform-classifier",
            dependencies: [.product(name: "KerasFormat", package: "RNNKit")],
            path: "Sources/WaveformClassifier"
        )
    ]
)
