import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// The layers around the RNN (issue 6), from files Keras 3.15.1 wrote (tools/make_surrounding_fixtures.py):
/// one small model per layer option, and the real-model shapes, each returning Keras's outputs.
@Suite("Layers around the RNN")
struct SurroundingLayerTests {
    static func load(_ file: String) -> ModelFileTests.Fixture {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("surrounding/\(file)"))
        return try! JSONDecoder().decode(ModelFileTests.Fixture.self, from: data)
    }

    /// The layer cases of make_surrounding_fixtures.py and make_attention_fixtures.py.
    static let layerCases = ModelFileTests.Fixture(
        models: load("outputs.json").models + load("attention.json").models)
    static let models = ModelFileTests.Fixture(
        models: load("models.json").models + load("attention_models.json").models)

    /// Loads `path` and makes each recorded call (resetting states where Keras did), comparing every output.
    static func check(_ item: ModelFileTests.Case, path: String, config: String? = nil) throws {
        var loaded = try KerasModel.load(path: path, configPath: config)
        for call in item.calls {
            if call.reset { try loaded.model.resetStates() }
            let outputs = try loaded.model.call(item.inputs.map(\.tensor))
            #expect(outputs.count == call.outputs.count)
            for (ours, keras) in zip(outputs, call.outputs) {
                LoadingTests.expectClose(ours, keras.tensor, (path as NSString).lastPathComponent)
            }
        }
    }

    @Test(
        "each layer case returns Keras's outputs, from .keras and legacy .h5", arguments: layerCases.models.map(\.name),
        ["keras", "h5"])
    func layer(_ name: String, _ layout: String) throws {
        let item = try #require(Self.layerCases.models.first { $0.name == name })
        try Self.check(item, path: LayoutTests.fixture("surrounding/\(name).\(layout)"))
    }

    @Test(
        "each real-model shape written in every layout reads back with Keras's outputs",
        arguments: models.models.map(\.name), KerasWriteFormat.allCases)
    func write(_ name: String, _ format: KerasWriteFormat) throws {
        let item = try #require(Self.models.models.first { $0.name == name })
        let source = try KerasModel.load(path: LayoutTests.fixture("surrounding/\(name).keras"))
        let directory = try WritingTests.outputDirectory().deletingLastPathComponent().appendingPathComponent(
            "surrounding")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("\(name).\(format.rawValue)").path
        try source.write(to: path, format: format, overwrite: true)
        let weightsOnly = format == .kerasWeights || format == .legacyWeights
        try Self.check(item, path: path, config: weightsOnly ? LayoutTests.fixture("surrounding/\(name).json") : nil)
    }

    @Test(
        "each real-model shape returns Keras's outputs from every layout", arguments: models.models.map(\.name),
        ModelFileTests.layouts)
    func model(_ name: String, _ layout: String) throws {
        let item = try #require(Self.models.models.first { $0.name == name })
        try Self.check(
            item, path: LayoutTests.fixture("surrounding/\(name).\(layout)"),
            config: layout == "weights.h5" ? LayoutTests.fixture("surrounding/\(name).json") : nil)
    }
}
