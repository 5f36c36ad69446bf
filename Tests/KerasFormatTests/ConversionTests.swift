import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Archiving: Keras 1, Keras 2 and tf.keras models (and Keras 3's own legacy `.h5`) become `.keras` archives
/// that predict the same, or are refused (with the change named) where Keras 3 cannot express their math.
@Suite("Conversion to Keras 3")
struct ConversionTests {
    /// Every older-generation fixture: path, input, expected output(s).
    static var cases: [(name: String, path: String, inputs: [Tensor], outputs: [Tensor])] {
        var cases: [(name: String, path: String, inputs: [Tensor], outputs: [Tensor])] = []
        for item in TFKerasModelFileTests.fixture.models {
            cases.append(
                (
                    "tf_keras_\(item.name)", LayoutTests.fixture("models_tf_keras/\(item.name).h5"),
                    item.inputs.map(\.tensor), item.outputs.map(\.tensor)
                ))
        }
        for item in TFKerasRealModelTests.fixture.models {
            cases.append(
                (
                    "tf_keras_real_\(item.name)", LayoutTests.fixture("surrounding_tf_keras/\(item.name).h5"),
                    item.inputs.map(\.tensor), item.outputs.map(\.tensor)
                ))
        }
        for item in TFKerasSpatialTests.fixture.models {
            cases.append(
                (
                    "tf_keras_spatial_\(item.name)", LayoutTests.fixture("spatial_tf_keras/\(item.name).h5"),
                    item.inputs.map(\.tensor), item.outputs.map(\.tensor)
                ))
        }
        for path in LegacyRealModelTests.cases {
            let item = try! LegacyRealModelTests.item(path)
            cases.append(
                (
                    path.replacingOccurrences(of: "/", with: "_"), LayoutTests.fixture("\(path).h5"),
                    item.inputs.map(\.tensor), item.outputs.map(\.tensor)
                ))
        }
        for generation in TF2ArchiveTests.generations.keys.sorted() {
            for item in TF2ArchiveTests.fixture(generation).models {
                cases.append(
                    (
                        "\(generation)_\(item.name)", LayoutTests.fixture("\(generation)/\(item.name).keras"),
                        item.inputs.map(\.tensor), item.outputs.map(\.tensor)
                    ))
            }
        }
        // Keras 3's own legacy .h5 (no module keys: operation nodes must get theirs back).
        for item in ModelFileTests.fixture.models {
            cases.append(
                (
                    "keras3_h5_\(item.name)", LayoutTests.fixture("models/\(item.name).h5"), item.inputs.map(\.tensor),
                    item.calls[0].outputs.map(\.tensor)
                ))
        }
        let legacy = LegacyGenerationTests.fixture
        for (name, output) in legacy.outputs.sorted(by: { $0.key < $1.key }) {
            cases.append(
                ("legacy_\(name)", LayoutTests.fixture("legacy/\(name).h5"), [legacy.input.tensor], [output.tensor]))
        }
        return cases
    }

    static func directory() throws -> URL {
        let url = try WritingTests.outputDirectory().deletingLastPathComponent().appendingPathComponent("converted")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("each older model converts exactly, or is refused with the change named", arguments: cases.map(\.name))
    func convert(_ name: String) throws {
        let item = try #require(Self.cases.first { $0.name == name })
        let source = try KerasModel.load(path: item.path)
        let path = try Self.directory().appendingPathComponent("\(name).keras").path
        if source.model.layers.contains(where: { if case .recurrent(let rnn) = $0 { rnn.timeMajor } else { false } }) {
            // Keras 3 has no time-major layers: refused even with changes accepted, naming the output,
            // the layer and the way out; nothing is written.
            for format in [KerasWriteFormat.kerasArchive, .kerasWeights] {
                let refused = #expect(throws: KerasFormatError.self) {
                    try source.write(to: path, format: format, overwrite: true, acceptingChanges: true)
                }
                #expect(
                    refused?.description
                        == "\(path): layer 'lstm': it is time-major, which Keras 3 does not support; write it as a legacy .h5 instead"
                )
                #expect(!FileManager.default.fileExists(atPath: path))
            }
            return
        }
        let (_, changes) = try source.keras3Conversion(file: path)
        if changes.isEmpty {
            try source.write(to: path, format: .kerasArchive, overwrite: true)
            var loaded = try KerasModel.load(path: path)
            #expect(loaded.kerasVersion == "3.15.1")
            for (ours, keras) in zip(try loaded.model.call(item.inputs), item.outputs) {
                LoadingTests.expectClose(ours, keras, "\(name) converted")
            }
        } else {
            // Keras 2's hard_sigmoid (tf.keras's ConvLSTM2D default too), and Keras 3's Bidirectional zeroing the
            // masked steps tf.keras's ConvLSTM carried.
            let expected = ["hard_sigmoid", "masked steps"]
            #expect(changes.allSatisfy { change in expected.contains { change.contains($0) } })
            #expect(changes.contains { $0.contains("masked steps") } == name.hasSuffix("convlstm2d_masked"))
            let refused = #expect(throws: KerasFormatError.self) {
                try source.write(to: path + ".refused", format: .kerasArchive)
            }
            #expect(changes.allSatisfy { refused?.description.contains($0) == true })
            #expect(!FileManager.default.fileExists(atPath: path + ".refused"))
            // Accepted, the archive computes with Keras 3's hard_sigmoid: measurably different, and equal
            // to the in-memory conversion.
            try source.write(
                to: path + ".accepted.keras", format: .kerasArchive, overwrite: true, acceptingChanges: true)
            var loaded = try KerasModel.load(path: path + ".accepted.keras")
            var converted = try source.keras3Conversion(file: path).model
            let ours = try loaded.model.call(item.inputs)[0]
            #expect(ours == (try converted.model.call(item.inputs)[0]))
            let difference = largestDifference(ours.scalars, item.outputs[0].scalars)
            #expect(difference > 1e-4, "\(name): the change should show, difference \(difference)")
        }
    }

    @Test("a conversion keeps the training settings of the issue 6 layers (initializers, momentum)")
    func trainingSettings() throws {
        let source = try KerasModel.load(path: LayoutTests.fixture("surrounding_tf_keras/stacked_convlstm2d.h5"))
        let (converted, _) = try source.keras3Conversion(file: "stacked.keras")
        let before = try #require(source.config["config"]?["layers"]?.arrayValue)
        let after = try #require(converted.config["config"]?["layers"]?.arrayValue)
        for name in ["conv_lstm_1", "norm_1"] {
            let old = try #require(before.first { $0["config"]?["name"]?.stringValue == name }?["config"])
            let new = try #require(after.first { $0["config"]?["name"]?.stringValue == name }?["config"])
            let keys = ["kernel_initializer", "recurrent_initializer", "momentum", "gamma_initializer"].filter {
                old[$0] != nil
            }
            #expect(keys.count == 2, "\(name): the source should hold two of the settings, holds \(keys)")
            for key in keys { #expect(new[key] == old[key], "\(name).\(key)") }
        }
    }
}
