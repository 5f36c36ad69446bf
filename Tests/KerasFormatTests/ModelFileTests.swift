import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// The seven Keras models of tools/make_model_fixtures.py, read from every Keras 3 layout, must return
/// the outputs Keras returned (Tests/Fixtures/layers/models_keras3.json).
@Suite("Model files")
struct ModelFileTests {
    struct Case: Decodable {
        struct Call: Decodable {
            var reset: Bool
            var outputs: [Array32]
        }
        var name: String
        var inputs: [Array32]
        var calls: [Call]
    }

    struct Fixture: Decodable { var models: [Case] }

    static let fixture: Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("layers/models_keras3.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    static let layouts = ["keras", "h5", "weights.h5"]

    @Test("each model, from each layout, returns Keras's outputs", arguments: fixture.models.map(\.name), layouts)
    func model(_ name: String, _ layout: String) throws {
        let item = try #require(Self.fixture.models.first { $0.name == name })
        let path = LayoutTests.fixture("models/\(name).\(layout)")
        let config = layout == "weights.h5" ? LayoutTests.fixture("models/\(name).json") : nil
        var loaded = try KerasModel.load(path: path, configPath: config)
        for (index, call) in item.calls.enumerated() {
            if call.reset { try loaded.model.resetStates() }
            let outputs = try loaded.model.call(item.inputs.map(\.tensor))
            #expect(outputs.count == call.outputs.count)
            for (ours, keras) in zip(outputs, call.outputs) {
                LoadingTests.expectClose(ours, keras.tensor, "\(name).\(layout) call \(index)")
            }
        }
    }
}

/// The tf_keras 2.21 models of tools/make_tf_keras_models.py (the Keras 2 dialect), from every layout
/// tf_keras writes, return tf_keras's outputs.
@Suite("tf.keras model files")
struct TFKerasModelFileTests {
    struct Case: Decodable {
        var name: String
        var inputs: [Array32]
        var outputs: [Array32]
    }

    struct Fixture: Decodable { var models: [Case] }

    static let fixture: Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("models_tf_keras/outputs.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    @Test(
        "each model, from each layout, returns tf_keras's outputs", arguments: fixture.models.map(\.name),
        ["h5", "weights", "keras"])
    func model(_ name: String, _ layout: String) throws {
        try Self.check(Self.fixture, folder: "models_tf_keras", name: name, layout: layout)
    }

    /// Loads `<folder>/<name>` in tf_keras's `layout` (h5, weights + JSON, keras) and compares its outputs.
    static func check(_ fixture: Fixture, folder: String, name: String, layout: String) throws {
        let item = try #require(fixture.models.first { $0.name == name })
        let base = LayoutTests.fixture("\(folder)/\(name)")
        let path = layout == "weights" ? base + "_weights.h5" : base + "." + layout
        var loaded = try KerasModel.load(path: path, configPath: layout == "weights" ? base + ".json" : nil)
        #expect(loaded.kerasVersion?.hasPrefix("2.") == true || layout == "keras")
        let outputs = try loaded.model.call(item.inputs.map(\.tensor))
        #expect(outputs.count == item.outputs.count)
        for (ours, keras) in zip(outputs, item.outputs) {
            LoadingTests.expectClose(ours, keras.tensor, "\(name) (\(layout))")
        }
    }
}

/// The real-model shapes of issue 6 as tf_keras 2.21 writes them (tools/make_tf_keras_real_models.py), in
/// each of its layouts.
@Suite("tf.keras files of the real-model shapes")
struct TFKerasRealModelTests {
    static let fixture: TFKerasModelFileTests.Fixture = {
        let data = try! Data(
            contentsOf: LayoutTests.fixtures.appendingPathComponent("surrounding_tf_keras/outputs.json"))
        return try! JSONDecoder().decode(TFKerasModelFileTests.Fixture.self, from: data)
    }()

    @Test(
        "each model, from each layout, returns tf_keras's outputs", arguments: fixture.models.map(\.name),
        ["h5", "weights", "keras"])
    func model(_ name: String, _ layout: String) throws {
        try TFKerasModelFileTests.check(Self.fixture, folder: "surrounding_tf_keras", name: name, layout: layout)
    }
}

/// The real-model shapes as Keras 1.2.2 and standalone Keras 2.2.4 wrote them (tools/make_legacy_real_models.py,
/// h5py in their layouts), and the nested models as Keras 2.2.4 wrote them (tools/make_legacy_nested_fixtures.py:
/// no InputLayer in a nested Sequential, every nested model's first call node 1), with the outputs of the
/// equivalent tf_keras models.
@Suite("Keras 1 and standalone Keras 2 files of the real-model shapes and nested models")
struct LegacyRealModelTests {
    static func fixture(_ folder: String) -> TFKerasModelFileTests.Fixture {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("\(folder)/outputs.json"))
        return try! JSONDecoder().decode(TFKerasModelFileTests.Fixture.self, from: data)
    }
    static let folders = ["legacy_real", "legacy_nested"]
    /// `folder/name` of every model.
    static let cases = folders.flatMap { folder in fixture(folder).models.map { "\(folder)/\($0.name)" } }

    static func item(_ path: String) throws -> TFKerasModelFileTests.Case {
        let folder = String(path.split(separator: "/")[0])
        return try #require(fixture(folder).models.first { "\(folder)/\($0.name)" == path })
    }

    @Test("each model returns the equivalent tf_keras model's outputs", arguments: cases)
    func model(_ path: String) throws {
        let item = try Self.item(path)
        let name = item.name
        var loaded = try KerasModel.load(path: LayoutTests.fixture("\(path).h5"))
        #expect(loaded.kerasVersion == (name.hasPrefix("keras1") ? "1.2.2" : "2.2.4"))
        let outputs = try loaded.model.call(item.inputs.map(\.tensor))
        #expect(outputs.count == item.outputs.count)
        for (ours, keras) in zip(outputs, item.outputs) {
            LoadingTests.expectClose(ours, keras.tensor, name)
        }
    }
}
