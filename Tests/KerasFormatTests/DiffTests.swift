import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// `KerasModel.difference(from:)`, what `rnnkit diff` reports: a file against its own conversions, a
/// conversion that changed the math, and models with other weights.
@Suite("Model differences")
struct DiffTests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every layout RNNKit writes, in both dialects, computes what the source computes.
    @Test(
        "a file against each of its conversions: the same function",
        arguments: [
            "models/encoder_decoder.keras", "models/embedding_bidirectional_lstm.h5", "legacy/keras2_cudnn_lstm.h5",
            "models_tf_keras/embedding_lstm_gru.h5", "surrounding/seq2seq.keras",
        ])
    func conversions(_ fixture: String) throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try KerasModel.load(path: LayoutTests.fixture(fixture))
        let targets: [(String, KerasWriteFormat, KerasDialect?)] = [
            ("m.keras", .kerasArchive, nil), ("m.h5", .legacyModel, nil), ("m2.h5", .legacyModel, .keras2),
        ]
        for (name, format, dialect) in targets {
            let path = directory.appendingPathComponent(name).path
            try source.write(to: path, format: format, dialect: dialect)
            let report = try source.difference(from: try KerasModel.load(path: path))
            #expect(report.same, "\(fixture) -> \(name): \(report)")
            // The tf.keras form of seq2seq's decoder takes an explicit all-true mask: three operation nodes.
            #expect(
                report.layers.filter {
                    ($0.kind == "added" || $0.kind == "removed") && !$0.detail.contains("operation")
                }
                .isEmpty)
            #expect(report.weights.isEmpty && report.identicalSlots > 0, "\(fixture) -> \(name)")
        }
        let weights = directory.appendingPathComponent("m.weights.h5").path
        try source.write(to: weights, format: .kerasWeights)
        let json = directory.appendingPathComponent("m.json").path
        try Data(try source.conversion(to: .keras3, file: weights).model.config.jsonText.utf8).write(
            to: URL(fileURLWithPath: json))
        #expect(try source.difference(from: try KerasModel.load(path: weights, configPath: json)).same)
    }

    /// A tf.keras model with hard_sigmoid converted to Keras 3 with consent: the options and the outputs
    /// differ, by the amount the conversion measured on the same probe.
    @Test("a hard_sigmoid conversion differs by the amount convert measured")
    func hardSigmoid() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try KerasModel.load(
            path: LayoutTests.fixture("models_tf_keras/keras2_hard_sigmoid_reset_before.h5"))
        let path = directory.appendingPathComponent("accepted.keras").path
        let measured = try source.measureConversion(to: .keras3, file: path)
        try source.write(to: path, format: .kerasArchive, acceptingChanges: true)
        let report = try source.difference(from: try KerasModel.load(path: path))
        #expect(!report.same)
        #expect(report.weights.isEmpty, "the weights are the same: \(report)")
        #expect(report.layers.contains { $0.kind == "option" && $0.detail.hasPrefix("recurrent_activation") })
        let difference = try #require(report.outputDifference)
        #expect(measured.largestDifference > 1e-4)
        #expect(
            abs(difference - Double(measured.largestDifference)) <= 1e-7,
            "\(difference) vs \(measured.largestDifference)")
    }

    /// The same model with one weight moved: that slot, by that much, and nothing else.
    @Test("a copy with other weights: the slot and the amount, and the outputs")
    func retrained() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        var copy = try KerasModel.load(path: LayoutTests.fixture("models/encoder_decoder.keras"))
        let original = copy
        let index = try #require(copy.model.layers.firstIndex { $0.name == "decoder" })
        var weights = copy.model.layers[index].weights
        var kernel = weights[0].scalars
        kernel[3] += 0.25
        weights[0] = Tensor(shape: weights[0].shape, scalars: kernel)
        try copy.model.layers[index].setWeights(weights)
        let path = directory.appendingPathComponent("retrained.keras").path
        try copy.write(to: path, format: .kerasArchive)
        let report = try original.difference(from: try KerasModel.load(path: path))
        #expect(!report.same && report.layers.isEmpty)
        #expect(report.weights.count == 1)
        #expect(report.weights.first?.layer == "decoder" && abs((report.weights.first?.maxAbsolute ?? 0) - 0.25) < 1e-6)
        #expect((report.outputDifference ?? 0) > 1e-6)
        // Within a tolerance above the change, the same.
        #expect(try original.difference(from: try KerasModel.load(path: path), tolerance: 1).same)
    }

    /// Models of other shapes: the layers only one side has, and outputs that cannot be compared.
    @Test("other architectures: added and removed layers are named")
    func otherArchitecture() throws {
        let a = try KerasModel.load(path: LayoutTests.fixture("models/stateful_lstm.keras"))
        let b = try KerasModel.load(path: LayoutTests.fixture("models/encoder_decoder.keras"))
        let report = try a.difference(from: b)
        #expect(!report.same && report.outputDifference == nil)
        #expect(report.outputProblem?.contains("B cannot run on A's input") == true, "\(report)")
        #expect(report.layers.contains { $0.kind == "removed" } && report.layers.contains { $0.kind == "added" })
    }
}
