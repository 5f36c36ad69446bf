import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Whole models used as layers (issue 16), from files Keras 3.15.1 and tf_keras 2.21 wrote
/// (tools/make_nested_fixtures.py, make_nested_tf_keras_fixtures.py): an LRCN whose frame CNN is a
/// Sequential inside TimeDistributed (with BatchNormalization) and whose head is a Functional model; a
/// Sequential encoder fed a masked Embedding (the mask goes into the nested model); a Sequential model
/// holding a Functional block that holds a Sequential.
@Suite("Models nested as layers")
struct NestedModelTests {
    static let keras3Fixture: ModelFileTests.Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("nested/models.json"))
        return try! JSONDecoder().decode(ModelFileTests.Fixture.self, from: data)
    }()

    static let tfKerasFixture: TFKerasModelFileTests.Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("nested_tf_keras/outputs.json"))
        return try! JSONDecoder().decode(TFKerasModelFileTests.Fixture.self, from: data)
    }()

    @Test(
        "each Keras 3 model with nested models returns Keras's outputs from every layout",
        arguments: keras3Fixture.models.map(\.name), ModelFileTests.layouts)
    func keras3(_ name: String, _ layout: String) throws {
        let item = try #require(Self.keras3Fixture.models.first { $0.name == name })
        try SurroundingLayerTests.check(
            item, path: LayoutTests.fixture("nested/\(name).\(layout)"),
            config: layout == "weights.h5" ? LayoutTests.fixture("nested/\(name).json") : nil)
    }

    @Test(
        "each tf.keras model with nested models, from each layout, returns tf_keras's outputs",
        arguments: tfKerasFixture.models.map(\.name), ["h5", "weights", "keras"])
    func tfKeras(_ name: String, _ layout: String) throws {
        try TFKerasModelFileTests.check(Self.tfKerasFixture, folder: "nested_tf_keras", name: name, layout: layout)
    }

    @Test("a nested model is one layer holding its layers' weights, named layer/slot")
    func structure() throws {
        let model = try KerasModel.load(path: LayoutTests.fixture("nested/lrcn_nested.keras")).model
        guard case .feedForward(let wrapper as TimeDistributed) = model.layers[1],
            let cnn = wrapper.layer as? NestedModel
        else {
            Issue.record("per_frame is not TimeDistributed over a nested model: \(model.layers[1])")
            return
        }
        #expect(cnn.name == "frame_cnn")
        #expect(
            cnn.weightSlots.map(\.name) == [
                "conv/kernel", "conv/bias", "norm/gamma", "norm/beta", "norm/moving_mean", "norm/moving_variance",
            ])
        guard case .feedForward(let head as NestedModel) = model.layers.last else {
            Issue.record("the head is not a nested model")
            return
        }
        #expect(head.model.layers.map(\.name) == ["features", "hidden", "action"])
    }

    /// The folder of `$RNNKIT_INTEROP_DIR` (or a temporary one) where the interop suites find `name`.
    static func directory(_ name: String) throws -> URL {
        let url = try WritingTests.outputDirectory().deletingLastPathComponent().appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(
        "each Keras 3 model with nested models written in every layout reads back with Keras's outputs",
        arguments: KerasWriteFormat.allCases)
    func writeKeras3(_ format: KerasWriteFormat) throws {
        let weightsOnly = format == .kerasWeights || format == .legacyWeights
        for item in Self.keras3Fixture.models {
            let path = try Self.directory("nested").appendingPathComponent("\(item.name).\(format.rawValue)").path
            try KerasModel.load(path: LayoutTests.fixture("nested/\(item.name).keras")).write(
                to: path, format: format, overwrite: true)
            try SurroundingLayerTests.check(
                item, path: path, config: weightsOnly ? LayoutTests.fixture("nested/\(item.name).json") : nil)
        }
    }

    @Test("each model with nested models, from either Keras, written for the other reads back with its outputs")
    func writeAcross() throws {
        // Keras 3's models as tf.keras legacy .h5 (the nested models as tf.keras Functional models).
        for item in Self.keras3Fixture.models {
            let path = try Self.directory("nested_keras2").appendingPathComponent("\(item.name).h5").path
            try KerasModel.load(path: LayoutTests.fixture("nested/\(item.name).keras")).write(
                to: path, format: .legacyModel, dialect: .keras2, overwrite: true)
            try SurroundingLayerTests.check(item, path: path)
        }
        // tf.keras's models as Keras 3 archives, and written back in their own dialect.
        for item in Self.tfKerasFixture.models {
            let source = try KerasModel.load(path: LayoutTests.fixture("nested_tf_keras/\(item.name).h5"))
            let archive = try Self.directory("nested_from_tf_keras").appendingPathComponent("\(item.name).keras").path
            try source.write(to: archive, format: .kerasArchive, overwrite: true)
            let legacy = try Self.directory("nested_keras2").appendingPathComponent("tf_keras_\(item.name).h5").path
            try source.write(to: legacy, format: .legacyModel, overwrite: true)
            for path in [archive, legacy] {
                var loaded = try KerasModel.load(path: path)
                let outputs = try loaded.model.call(item.inputs.map(\.tensor))
                for (ours, theirs) in zip(outputs, item.outputs) {
                    LoadingTests.expectClose(ours, theirs.tensor, (path as NSString).lastPathComponent)
                }
            }
        }
    }

    @Test("validate looks inside nested models: a Lambda or a broken config inside is named")
    func validateInside() throws {
        let config = try String(contentsOfFile: LayoutTests.fixture("nested/lrcn_nested.json"), encoding: .utf8)
        let edited = config.replacingOccurrences(of: #""class_name": "Flatten""#, with: #""class_name": "Lambda""#)
        #expect(edited != config)
        let path = try Self.directory("nested_edited").appendingPathComponent("lambda_inside.json").path
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        let findings = Validation.validate(path: LayoutTests.fixture("nested/lrcn_nested.weights.h5"), configPath: path)
        #expect(findings.contains { $0.layer == "per_frame/flatten" && $0.message.contains("Lambda") }, "\(findings)")
        let clean = Validation.validate(
            path: LayoutTests.fixture("nested/lrcn_nested.weights.h5"),
            configPath: LayoutTests.fixture("nested/lrcn_nested.json"))
        #expect(clean.isEmpty, "\(clean)")
        // The JSON Schema checks a nested model's layers as a whole model's.
        let broken = config.replacingOccurrences(of: #""units": 3"#, with: #""units": "three""#)
        #expect(broken != config)
        let brokenPath = try Self.directory("nested_edited").appendingPathComponent("units_inside.json").path
        try broken.write(toFile: brokenPath, atomically: true, encoding: .utf8)
        let schema = Validation.validate(
            path: LayoutTests.fixture("nested/lrcn_nested.weights.h5"), configPath: brokenPath)
        #expect(
            schema.contains { $0.message.contains("config.layers[3].config.layers[2].config.units: is string") },
            "\(schema)")
        // The summary counts the nested BatchNormalization's statistics as not trainable.
        let summary = try KerasModel.load(path: LayoutTests.fixture("nested/lrcn_nested.keras")).summary
        #expect(summary.parameters - summary.trainableParameters == 6)
    }
}
