import Foundation
import HDF5
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Writing: every fixture model in every format reads back with Keras's outputs; files land in
/// RNNKIT_INTEROP_DIR for tools/tests/test_keras_interop.py, where Keras itself loads them.
@Suite("Writing models")
struct WritingTests {
    static func outputDirectory() throws -> URL {
        if let dir = ProcessInfo.processInfo.environment["RNNKIT_INTEROP_DIR"], !dir.isEmpty {
            let url = URL(fileURLWithPath: dir).appendingPathComponent("models")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-writing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(
        "each model written in each format reads back with Keras's outputs",
        arguments: ModelFileTests.fixture.models.map(\.name), KerasWriteFormat.allCases)
    func roundTrip(_ name: String, _ format: KerasWriteFormat) throws {
        let item = try #require(ModelFileTests.fixture.models.first { $0.name == name })
        let source = try KerasModel.load(path: LayoutTests.fixture("models/\(name).keras"))
        let path = try Self.outputDirectory().appendingPathComponent("\(name).\(format.rawValue)").path
        try source.write(to: path, format: format, overwrite: true)
        let config =
            format == .kerasWeights || format == .legacyWeights ? LayoutTests.fixture("models/\(name).json") : nil
        var loaded = try KerasModel.load(path: path, configPath: config)
        let outputs = try loaded.model.call(item.inputs.map(\.tensor))
        for (ours, keras) in zip(outputs, item.calls[0].outputs) {
            LoadingTests.expectClose(ours, keras.tensor, "\(name).\(format.rawValue)")
        }
    }

    /// A Keras 3 legacy `.h5` written back as legacy `.h5`: the operation nodes gain the module Keras 3 needs
    /// to load them (Keras 3 cannot load its own file of operation_node_mask: "Unknown layer: 'NotEqual'").
    @Test(
        "each Keras 3 legacy .h5 written back as legacy .h5 reads back the same",
        arguments: ModelFileTests.fixture.models.map(\.name))
    func legacyFromLegacy(_ name: String) throws {
        let item = try #require(ModelFileTests.fixture.models.first { $0.name == name })
        let source = try KerasModel.load(path: LayoutTests.fixture("models/\(name).h5"))
        let path = try Self.outputDirectory().appendingPathComponent("\(name).from_h5.h5").path
        try source.write(to: path, format: .legacyModel, overwrite: true)
        var loaded = try KerasModel.load(path: path)
        for (ours, keras) in zip(try loaded.model.call(item.inputs.map(\.tensor)), item.calls[0].outputs) {
            LoadingTests.expectClose(ours, keras.tensor, "\(name).from_h5.h5")
        }
    }

    @Test("the weights tree and attributes have Keras's types")
    func types() throws {
        let path = try Self.outputDirectory().appendingPathComponent("types-\(UUID().uuidString).weights.h5").path
        try KerasModel.load(path: LayoutTests.fixture("models/encoder_decoder.keras")).write(
            to: path, format: .kerasWeights)
        let root = try HDF5File(opening: path).root
        let kernel = try root.dataset("layers/lstm/cell/vars/0").info()
        #expect(kernel.datatype.description == "<f4" && kernel.layout == .contiguous && kernel.filterCount == 0)
        #expect(try root.group("layers/lstm/cell/vars").attributeInfo("name").datatype == .string(.variableUTF8))
        #expect(try root.group("layers/lstm_1/cell/vars").children().map(\.name) == ["0", "1", "2"])
        let legacy = try Self.outputDirectory().appendingPathComponent("types-\(UUID().uuidString).h5").path
        try KerasModel.load(path: LayoutTests.fixture("models/encoder_decoder.keras")).write(
            to: legacy, format: .legacyModel)
        let legacyRoot = try HDF5File(opening: legacy).root
        #expect(try legacyRoot.attributeInfo("model_config").datatype == .string(.variableASCII))
        #expect(try legacyRoot.attributeInfo("keras_version").datatype == .string(.variableUTF8))
        #expect(
            try legacyRoot.group("model_weights/encoder_input").attributeInfo("weight_names").datatype.description
                == "<f8")
    }

    @Test("writing refuses to replace a file unless asked, and a failed write leaves nothing behind")
    func atomic() throws {
        let directory = try Self.outputDirectory().appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("model.keras").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: path))
        let source = try KerasModel.load(path: LayoutTests.fixture("models/stateful_lstm.keras"))
        let error = #expect(throws: KerasFormatError.self) { try source.write(to: path, format: .kerasArchive) }
        #expect(error?.code == .cannotWrite && error?.description.contains("--force") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
        try source.write(to: path, format: .kerasArchive, overwrite: true)
        #expect(try KerasLayout.detect(path: path) == .kerasArchive)
        let missing = #expect(throws: KerasFormatError.self) {
            try source.write(to: directory.appendingPathComponent("no/such/dir/m.keras").path, format: .kerasArchive)
        }
        #expect(missing?.code == .cannotWrite)
        // Keras 2's hard_sigmoid has no Keras 3 form: refused before anything is written, no temporary left.
        let keras2 = try KerasModel.load(
            path: LayoutTests.fixture("models_tf_keras/keras2_hard_sigmoid_reset_before.h5"))
        #expect(throws: KerasFormatError.self) {
            try keras2.write(to: directory.appendingPathComponent("k2.keras").path, format: .kerasArchive)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.keras"])
    }
}

/// tf.keras models written back in the legacy layouts, for tools/tests_tf (tf_keras loads them).
@Suite("Writing tf.keras models")
struct TFKerasWritingTests {
    /// (fixture folder, model name): the tf.keras model fixtures, then the real-model shapes.
    static let cases =
        TFKerasModelFileTests.fixture.models.map { ("models_tf_keras", $0.name) }
        + TFKerasRealModelTests.fixture.models.map { ("surrounding_tf_keras", $0.name) }
        + TFKerasSpatialTests.fixture.models.map { ("spatial_tf_keras", $0.name) }

    @Test("each tf.keras model written as legacy .h5 and weights-only .h5 reads back the same", arguments: cases)
    func write(_ folder: String, _ name: String) throws {
        let fixture =
            switch folder {
            case "models_tf_keras": TFKerasModelFileTests.fixture
            case "spatial_tf_keras": TFKerasSpatialTests.fixture
            default: TFKerasRealModelTests.fixture
            }
        let item = try #require(fixture.models.first { $0.name == name })
        let source = try KerasModel.load(path: LayoutTests.fixture("\(folder)/\(name).h5"))
        // tools/tests_tf reads them from here.
        let directory = try WritingTests.outputDirectory().deletingLastPathComponent().appendingPathComponent(
            folder == "models_tf_keras" ? "tf_keras" : "tf_keras_real")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for format in [KerasWriteFormat.legacyModel, .legacyWeights] {
            let path = directory.appendingPathComponent("\(name).\(format.rawValue)").path
            try source.write(to: path, format: format, overwrite: true)
            let config = format == .legacyWeights ? LayoutTests.fixture("\(folder)/\(name).json") : nil
            var loaded = try KerasModel.load(path: path, configPath: config)
            #expect(loaded.kerasVersion == source.kerasVersion)
            for (ours, keras) in zip(try loaded.model.call(item.inputs.map(\.tensor)), item.outputs) {
                LoadingTests.expectClose(ours, keras.tensor, "\(name).\(format.rawValue)")
            }
        }
    }
}
