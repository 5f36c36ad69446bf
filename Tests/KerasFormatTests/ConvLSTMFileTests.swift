import Foundation
import KerasFormat
import RecurrentLayers
import Testing

/// ConvLSTM1D/2D/3D from files Keras 3.15.1 wrote (tools/make_convlstm_fixtures.py): every option in
/// .keras and legacy .h5, and the stacked ConvLSTM2D model in every layout, read and written.
@Suite("ConvLSTM files")
struct ConvLSTMFileTests {
    static func load(_ file: String) -> ModelFileTests.Fixture {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("convlstm/\(file)"))
        return try! JSONDecoder().decode(ModelFileTests.Fixture.self, from: data)
    }

    static let cases = load("outputs.json")
    static let models = load("models.json")

    @Test(
        "each ConvLSTM case returns Keras's outputs, from .keras and legacy .h5", arguments: cases.models.map(\.name),
        ["keras", "h5"])
    func layer(_ name: String, _ layout: String) throws {
        let item = try #require(Self.cases.models.first { $0.name == name })
        try SurroundingLayerTests.check(item, path: LayoutTests.fixture("convlstm/\(name).\(layout)"))
    }

    @Test("the stacked ConvLSTM2D model returns Keras's outputs from every layout", arguments: ModelFileTests.layouts)
    func model(_ layout: String) throws {
        let item = try #require(Self.models.models.first)
        try SurroundingLayerTests.check(
            item, path: LayoutTests.fixture("convlstm/\(item.name).\(layout)"),
            config: layout == "weights.h5" ? LayoutTests.fixture("convlstm/\(item.name).json") : nil)
    }

    @Test("the summary counts BatchNormalization's moving statistics as not trainable, as Keras does")
    func trainableParameters() throws {
        // The model has two BatchNormalization layers, each with moving_mean and moving_variance.
        let summary = try KerasModel.load(path: LayoutTests.fixture("convlstm/stacked_convlstm2d.keras")).summary
        let statistics = summary.layers.filter { $0.className == "BatchNormalization" }.flatMap(\.weights)
            .filter { $0.name.hasPrefix("moving_") }
        #expect(statistics.count == 4)
        let frozen = statistics.reduce(0) { $0 + $1.shape.reduce(1, *) }
        #expect(
            frozen > 0 && summary.trainableParameters == summary.parameters - frozen,
            "\(summary.parameters) \(summary.trainableParameters) \(frozen)")
    }

    @Test(
        "the stacked ConvLSTM2D model and the Bidirectional case written in every layout read back with Keras's outputs",
        arguments: KerasWriteFormat.allCases)
    func write(_ format: KerasWriteFormat) throws {
        let directory = try WritingTests.outputDirectory().deletingLastPathComponent().appendingPathComponent(
            "convlstm")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let weightsOnly = format == .kerasWeights || format == .legacyWeights
        let item = try #require(Self.models.models.first)
        let source = try KerasModel.load(path: LayoutTests.fixture("convlstm/\(item.name).keras"))
        let path = directory.appendingPathComponent("\(item.name).\(format.rawValue)").path
        try source.write(to: path, format: format, overwrite: true)
        try SurroundingLayerTests.check(
            item, path: path, config: weightsOnly ? LayoutTests.fixture("convlstm/\(item.name).json") : nil)
        guard !weightsOnly else { return }
        for name in ["bidirectional_convlstm2d", "convlstm2d_channels_first", "convlstm1d_stateful"] {
            let item = try #require(Self.cases.models.first { $0.name == name })
            let path = directory.appendingPathComponent("\(name).\(format.rawValue)").path
            try KerasModel.load(path: LayoutTests.fixture("convlstm/\(name).keras")).write(
                to: path, format: format, overwrite: true)
            try SurroundingLayerTests.check(item, path: path)
        }
    }
}
