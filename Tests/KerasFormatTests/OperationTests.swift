import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Operation nodes in model graphs (tools/make_operation_fixtures.py): Keras 3 operations with the constant
/// first, and tf.keras's TFOpLambda layers. Read from every layout, written back and converted; the written
/// files land in RNNKIT_INTEROP_DIR/operations, where Keras 3 and tf_keras load them (tools/tests*).
@Suite("Operation nodes")
struct OperationTests {
    static func fixture(_ writer: String) -> TFKerasModelFileTests.Fixture {
        let data = try! Data(
            contentsOf: LayoutTests.fixtures.appendingPathComponent("operations/outputs_\(writer).json"))
        return try! JSONDecoder().decode(TFKerasModelFileTests.Fixture.self, from: data)
    }

    static let keras3 = fixture("keras3")
    static let tfKeras = fixture("tf_keras")

    static func directory() throws -> URL {
        let url = try WritingTests.outputDirectory().deletingLastPathComponent().appendingPathComponent("operations")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func expectOutputs(_ model: KerasModel, _ item: TFKerasModelFileTests.Case, _ label: String) throws {
        var model = model
        let outputs = try model.model.call(item.inputs.map(\.tensor))
        #expect(outputs.count == item.outputs.count, "\(label)")
        for (ours, keras) in zip(outputs, item.outputs) { LoadingTests.expectClose(ours, keras.tensor, label) }
    }

    /// `ops.subtract(2.0, x)` is 2 - x and `ops.greater(1.0, x)` is x < 1 (both were read as if the tensor
    /// came first).
    @Test(
        "Keras 3 operations with the constant first, from each layout, return Keras's outputs",
        arguments: ["keras", "h5", "weights.h5"])
    func constantFirst(_ layout: String) throws {
        let item = try #require(Self.keras3.models.first)
        let config = layout == "weights.h5" ? LayoutTests.fixture("operations/constant_first.json") : nil
        let model = try KerasModel.load(
            path: LayoutTests.fixture("operations/constant_first.\(layout)"), configPath: config)
        try Self.expectOutputs(model, item, "constant_first.\(layout)")
    }

    @Test(
        "tf.keras TFOpLambda layers, from each layout, return tf_keras's outputs",
        arguments: ["h5", "weights", "keras"])
    func tfOpLambda(_ layout: String) throws {
        try TFKerasModelFileTests.check(Self.tfKeras, folder: "operations", name: "tf_op_lambda", layout: layout)
    }

    @Test("constant-first operations are written back with the constant first, and refused for tf.keras")
    func constantFirstWritten() throws {
        let item = try #require(Self.keras3.models.first)
        let source = try KerasModel.load(path: LayoutTests.fixture("operations/constant_first.keras"))
        for (format, name) in [
            (KerasWriteFormat.kerasArchive, "constant_first.keras"), (.legacyModel, "constant_first.h5"),
        ] {
            let path = try Self.directory().appendingPathComponent(name).path
            try source.write(to: path, format: format, overwrite: true)
            try Self.expectOutputs(try KerasModel.load(path: path), item, name)
        }
        let refused = #expect(throws: KerasFormatError.self) {
            try source.write(
                to: try Self.directory().appendingPathComponent("refused.h5").path, format: .legacyModel,
                dialect: .keras2, overwrite: true)
        }
        #expect(
            refused?.description.contains("has its constant first, which a tf.keras TFOpLambda cannot hold") == true)
    }

    /// TFOpLambda layers written back for tf.keras as they were, and converted to Keras 3 operation nodes.
    @Test("TFOpLambda models are written back for tf.keras and converted to Keras 3")
    func tfOpLambdaWritten() throws {
        let item = try #require(Self.tfKeras.models.first)
        let source = try KerasModel.load(path: LayoutTests.fixture("operations/tf_op_lambda.h5"))
        let directory = try Self.directory()
        let json = LayoutTests.fixture("operations/tf_op_lambda.json")
        for (format, name) in [
            (KerasWriteFormat.legacyModel, "tf_op_lambda.h5"), (.legacyWeights, "tf_op_lambda.weights-only.h5"),
            (.kerasArchive, "tf_op_lambda.keras"), (.kerasWeights, "tf_op_lambda.weights.h5"),
        ] {
            let path = directory.appendingPathComponent(name).path
            try source.write(to: path, format: format, overwrite: true)
            var config: String? = format == .legacyWeights ? json : nil
            if format == .kerasWeights {
                // The Keras 3 config of the conversion, as model.to_json() would give it.
                config = directory.appendingPathComponent("tf_op_lambda.keras3.json").path
                let converted = try source.conversion(to: .keras3, file: path).model
                try Data(converted.config.jsonText.utf8).write(to: URL(fileURLWithPath: config!))
            }
            let loaded = try KerasModel.load(path: path, configPath: config)
            try Self.expectOutputs(loaded, item, name)
        }
    }
}
