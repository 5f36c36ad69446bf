import Foundation
import HDF5
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Keras 3 models written in tf.keras's dialect (legacy .h5 and weights-only .h5 + JSON), read back by
/// RNNKit here and by tf_keras in tools/tests_tf (scripts/test-tf-keras).
@Suite("Writing Keras 3 models for tf.keras")
struct Keras2DialectTests {
    /// The Keras 3 fixture models (operation nodes become tf.keras TFOpLambda layers).
    static let names = ModelFileTests.fixture.models.map(\.name)

    static func directory() throws -> URL {
        let url = try WritingTests.outputDirectory().deletingLastPathComponent().appendingPathComponent(
            "tf_keras_from_keras3")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The real-model shapes of issue 6 (the sentiment and seq2seq models pass their masks through Keras 3
    /// operation nodes, written as TFOpLambda layers).
    static let surroundingNames = ["sentiment", "forecaster", "autoencoder", "seq2seq", "dot_attention"]
    /// ConvLSTM fixtures tf.keras can hold.
    static let convLSTMNames = [
        "stacked_convlstm2d", "bidirectional_convlstm2d", "convlstm2d_channels_first", "convlstm1d_stateful",
        "convlstm3d", "convlstm2d_initial_state", "convlstm2d_masked", "bidirectional_convlstm1d_masked",
    ]
    /// The issue 16 shapes and the 2D/3D layer cases TensorFlow runs on a CPU (channels last, no groups).
    static let spatialNames = [
        "captcha_crnn", "spectrogram_crnn", "lrcn", "frame_predictor", "convlstm_classifier", "conv2d_same_strides",
        "conv2d_dilated", "conv3d_strides", "max_pooling2d_same_strides", "average_pooling2d_same",
        "average_pooling3d_same", "global_average_pooling2d_keepdims", "global_max_pooling3d_keepdims", "upsampling1d",
        "upsampling2d", "upsampling3d", "zero_padding2d", "cropping2d", "cropping3d", "spatial_dropout2d",
        "relu_options",
        "leaky_relu", "elu", "prelu_shared_axes", "prelu", "softmax_axis", "rescaling", "normalization_given",
        "normalization_adapted", "normalization_invert", "lstm_attention_block", "mha_self", "mha_cross_key_scores",
        "mha_masked_causal",
    ]
    /// (fixture folder, model name): the model fixtures, then the issue 6 and issue 16 models.
    static let cases =
        names.map { ("models", $0) } + surroundingNames.map { ("surrounding", $0) }
        + convLSTMNames.map { ("convlstm", $0) } + spatialNames.map { ("spatial", $0) }

    @Test(
        "each Keras 3 model written in the tf.keras dialect reads back with Keras's outputs",
        arguments: cases)
    func write(_ folder: String, _ name: String) throws {
        let fixture =
            switch folder {
            case "models": ModelFileTests.fixture.models
            case "convlstm": ConvLSTMFileTests.cases.models + ConvLSTMFileTests.models.models
            case "spatial": SpatialLayerTests.layerCases.models + SpatialLayerTests.models.models
            default: SurroundingLayerTests.models.models
            }
        let item = try #require(fixture.first { $0.name == name })
        let source = try KerasModel.load(path: LayoutTests.fixture("\(folder)/\(name).keras"))
        #expect(source.dialect == .keras3)
        let directory = try Self.directory()
        let (converted, changes) = try source.conversion(to: .keras2, file: "\(name).h5")
        #expect(changes.isEmpty && converted.dialect == .keras2)
        let json = directory.appendingPathComponent("\(name).json").path
        try Data(converted.config.jsonText.utf8).write(to: URL(fileURLWithPath: json))
        for format in [KerasWriteFormat.legacyModel, .legacyWeights] {
            let path = directory.appendingPathComponent("\(name).\(format.rawValue)").path
            try source.write(to: path, format: format, dialect: .keras2, overwrite: true)
            var loaded = try KerasModel.load(path: path, configPath: format == .legacyWeights ? json : nil)
            #expect(loaded.kerasVersion == KerasModel.targetKeras2Version && loaded.dialect == .keras2)
            for call in item.calls {
                if call.reset { try loaded.model.resetStates() }
                for (ours, keras) in zip(try loaded.model.call(item.inputs.map(\.tensor)), call.outputs) {
                    LoadingTests.expectClose(ours, keras.tensor, "\(name).\(format.rawValue)")
                }
            }
        }
        // The file holds tf.keras's forms: plain layer entries, batch_input_shape, nested-list nodes, ":0" names.
        let root = try HDF5File(opening: directory.appendingPathComponent("\(name).h5").path).root
        let config = try JSONValue.parse(Array(try root.readString("model_config").utf8))
        let layers = try #require(config["config"]?["layers"]?.arrayValue)
        #expect(layers.allSatisfy { $0["module"] == nil && $0["build_config"] == nil })
        #expect(!config.jsonText.contains("DTypePolicy") && !config.jsonText.contains("__keras_tensor__"))
        #expect(!config.jsonText.contains("\"batch_shape\""))
        #expect(try root.readString("backend") == "tensorflow")
        // Weight names in tf.keras's form (a model of pooling layers alone has none).
        guard source.model.layers.contains(where: { !$0.weights.isEmpty }) else { return }
        let firstWeights = try #require(
            layers.compactMap { $0["config"]?["name"]?.stringValue }.first {
                (try? root.group("model_weights/\($0)").readStringList("weight_names").isEmpty) == false
            })
        #expect(
            try root.group("model_weights/\(firstWeights)").readStringList("weight_names").allSatisfy {
                $0.hasSuffix(":0")
            })
    }

    @Test("what tf.keras cannot express is refused or named, and nothing is written")
    func refusals() throws {
        let directory = try Self.directory().appendingPathComponent("refusals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // 2.0 - x: a TFOpLambda's node holds the tensor first.
        let operation = try KerasModel.load(path: LayoutTests.fixture("operations/constant_first.keras"))
        let refused = #expect(throws: KerasFormatError.self) {
            try operation.write(
                to: directory.appendingPathComponent("op.h5").path, format: .legacyModel, dialect: .keras2)
        }
        #expect(
            refused?.description.contains("Subtract") == true && refused?.description.contains("TFOpLambda") == true)
        let archive = #expect(throws: KerasFormatError.self) {
            try KerasModel.load(path: LayoutTests.fixture("models/stateful_lstm.keras")).write(
                to: directory.appendingPathComponent("x.keras").path, format: .kerasArchive, dialect: .keras2)
        }
        #expect(archive?.description.contains("legacy .h5 layouts only") == true)

        // hard_sigmoid means x/6 + 0.5 in Keras 3 and 0.2x + 0.5 in tf.keras: a change, measured, written on consent.
        let text = try String(contentsOfFile: LayoutTests.fixture("models/embedding_lstm_gru.json"), encoding: .utf8)
        let hard = directory.appendingPathComponent("hard.json")
        try Data(
            text.replacingOccurrences(
                of: "\"recurrent_activation\": \"sigmoid\"", with: "\"recurrent_activation\": \"hard_sigmoid\""
            ).utf8
        ).write(to: hard)
        let source = try KerasModel.load(
            path: LayoutTests.fixture("models/embedding_lstm_gru.weights.h5"), configPath: hard.path)
        let report = try source.measureConversion(to: .keras2, file: "hard.h5")
        #expect(report.changes.count == 2 && report.changes.allSatisfy { $0.contains("hard_sigmoid") })
        #expect(report.largestDifference > 1e-4)
        let path = directory.appendingPathComponent("hard.h5").path
        #expect(throws: KerasFormatError.self) {
            try source.write(to: path, format: .legacyModel, dialect: .keras2)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["hard.json"])
        try source.write(to: path, format: .legacyModel, dialect: .keras2, acceptingChanges: true)
        var written = try KerasModel.load(path: path)
        var probe = report.model
        let input = try #require(ModelFileTests.fixture.models.first { $0.name == "embedding_lstm_gru" }).inputs.map(
            \.tensor)
        #expect(try written.model.call(input)[0].scalars == probe.model.call(input)[0].scalars)
    }

    @Test("a tf.keras model written in Keras 3's dialect as legacy .h5 reads back the same")
    func keras3FromTFKeras() throws {
        let item = try #require(TFKerasModelFileTests.fixture.models.first { $0.name == "encoder_decoder" })
        let source = try KerasModel.load(path: LayoutTests.fixture("models_tf_keras/encoder_decoder.h5"))
        #expect(source.dialect == .keras2)
        let path = try Self.directory().appendingPathComponent("encoder_decoder-keras3-\(UUID().uuidString).h5").path
        try source.write(to: path, format: .legacyModel, dialect: .keras3)
        var loaded = try KerasModel.load(path: path)
        #expect(loaded.dialect == .keras3 && loaded.kerasVersion == KerasModel.targetKerasVersion)
        for (ours, keras) in zip(try loaded.model.call(item.inputs.map(\.tensor)), item.outputs) {
            LoadingTests.expectClose(ours, keras.tensor, "encoder_decoder keras3 .h5")
        }
    }
}
