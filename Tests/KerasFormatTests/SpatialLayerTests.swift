import Foundation
import KerasFormat
import RecurrentLayers
import Testing

/// The 2D and 3D layers of image, video and speech models (issue 16), from files Keras 3.15.1 wrote
/// (tools/make_spatial_fixtures.py): one small model per layer option, and five real-model shapes (captcha
/// and spectrogram CRNNs, an LRCN, a ConvLSTM2D frame predictor with a Conv3D head, a ConvLSTM2D
/// classifier with 3D pooling), read from every layout and written in every layout.
@Suite("2D and 3D layers")
struct SpatialLayerTests {
    static func load(_ file: String) -> ModelFileTests.Fixture {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("spatial/\(file)"))
        return try! JSONDecoder().decode(ModelFileTests.Fixture.self, from: data)
    }

    static let layerCases = load("outputs.json")
    static let models = load("models.json")

    @Test(
        "each 2D/3D layer case returns Keras's outputs, from .keras and legacy .h5",
        arguments: layerCases.models.map(\.name), ["keras", "h5"])
    func layer(_ name: String, _ layout: String) throws {
        let item = try #require(Self.layerCases.models.first { $0.name == name })
        try SurroundingLayerTests.check(item, path: LayoutTests.fixture("spatial/\(name).\(layout)"))
    }

    @Test(
        "each image, video and speech model shape returns Keras's outputs from every layout",
        arguments: models.models.map(\.name), ModelFileTests.layouts)
    func model(_ name: String, _ layout: String) throws {
        let item = try #require(Self.models.models.first { $0.name == name })
        try SurroundingLayerTests.check(
            item, path: LayoutTests.fixture("spatial/\(name).\(layout)"),
            config: layout == "weights.h5" ? LayoutTests.fixture("spatial/\(name).json") : nil)
    }

    @Test(
        "each image, video and speech model shape and each layer case written in every layout reads back with Keras's outputs",
        arguments: KerasWriteFormat.allCases)
    func write(_ format: KerasWriteFormat) throws {
        let directory = try WritingTests.outputDirectory().deletingLastPathComponent().appendingPathComponent("spatial")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let weightsOnly = format == .kerasWeights || format == .legacyWeights
        for item in Self.models.models + (weightsOnly ? [] : Self.layerCases.models) {
            let path = directory.appendingPathComponent("\(item.name).\(format.rawValue)").path
            try KerasModel.load(path: LayoutTests.fixture("spatial/\(item.name).keras")).write(
                to: path, format: format, overwrite: true)
            try SurroundingLayerTests.check(
                item, path: path, config: weightsOnly ? LayoutTests.fixture("spatial/\(item.name).json") : nil)
        }
    }
}

/// The image, video and speech model shapes as tf_keras 2.21 writes them
/// (tools/make_spatial_tf_keras_fixtures.py), in each of its layouts.
@Suite("tf.keras files of the 2D and 3D model shapes")
struct TFKerasSpatialTests {
    static let fixture: TFKerasModelFileTests.Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("spatial_tf_keras/outputs.json"))
        return try! JSONDecoder().decode(TFKerasModelFileTests.Fixture.self, from: data)
    }()

    @Test(
        "each tf.keras image, video and speech model, from each layout, returns tf_keras's outputs",
        arguments: fixture.models.map(\.name), ["h5", "weights", "keras"])
    func model(_ name: String, _ layout: String) throws {
        try TFKerasModelFileTests.check(Self.fixture, folder: "spatial_tf_keras", name: name, layout: layout)
    }
}

extension SpatialLayerTests {
    @Test("what the 2D/3D layers do not implement is refused by name, never run another way")
    func refusals() throws {
        let refusals: [(String, String, [Int?], String)] = [
            ("Softmax", #"{"axis": [1, 2]}"#, [nil, 4, 3], "several axes"),
            ("UpSampling2D", #"{"size": [2, 2], "interpolation": "bicubic"}"#, [nil, 4, 3, 2], "bicubic"),
            ("Conv2D", #"{"filters": 2, "kernel_size": 3, "padding": "causal"}"#, [nil, 5, 5, 2], "causal"),
            ("Normalization", #"{"axis": [1, 2]}"#, [nil, 4, 3], "several axes"),
        ]
        for (className, config, inputShape, words) in refusals {
            let entry = try JSONValue.parse(
                Array(#"{"class_name": "\#(className)", "config": \#(config.dropLast()), "name": "x"}}"#.utf8))
            let error = #expect(throws: KerasFormatError.self, "\(className)") {
                _ = try ModelLayer(kerasConfig: entry, inputShape: Array(inputShape.dropFirst()))
            }
            #expect(error?.layer == "x" && error?.description.contains(words) == true, "\(String(describing: error))")
        }
    }
}
