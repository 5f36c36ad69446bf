import Foundation
import KerasFormat
import RecurrentLayers
import Testing

/// The README's "Using KerasFormat" example, run as written (its output paths in a scratch folder).
@Suite("README KerasFormat example")
struct KerasFormatReadmeTests {
    static let root = LayoutTests.fixtures.deletingLastPathComponent().deletingLastPathComponent()

    @Test("the README's load, run, validate, write, convert, diff and graph example works")
    func example() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-readme-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        func example(_ path: String) -> String { Self.root.appendingPathComponent(path).path }
        func out(_ name: String) -> String { scratch.appendingPathComponent(name).path }

        var model = try KerasModel.load(path: example("Examples/waveforms.keras"))
        let arrays = try NumPyFiles.read(path: example("Examples/waveforms_input.npy"))
        let outputs = try model.run(arrays, file: example("Examples/waveforms_input.npy"))
        #expect(outputs.count == 1 && outputs[0].shape.last == 3)

        // Plain arrays for the one-input, one-output case.
        let first = arrays[0].array.tensor
        let sample = Array(first.scalars[0..<40])
        let (probabilities, shape) = try model.predict(sample, shape: [1, 40, 1])
        #expect(shape == [1, 3] && probabilities == Array(outputs[0].scalars[0..<3]))
        #expect(throws: KerasFormatError.self) { try model.predict(sample, shape: [1, 39, 1]) }

        let findings = Validation.validate(path: example("Examples/waveforms.h5"), configPath: nil)
        let valid = !findings.contains { $0.severity == .error }
        #expect(valid)

        try model.write(to: out("waveforms.h5"), format: .legacyModel)
        try model.write(to: out("waveforms_tf.h5"), format: .legacyModel, dialect: .keras2)

        let old = try KerasModel.load(path: LayoutTests.fixture("models_tf_keras/embedding_lstm_gru.h5"))
        let report = try old.measureConversion(to: .keras3, file: out("archived.keras"))
        if report.changes.isEmpty { try old.write(to: out("archived.keras"), format: .kerasArchive) }
        #expect(FileManager.default.fileExists(atPath: out("archived.keras")))

        let diff = try model.difference(from: try KerasModel.load(path: out("waveforms.h5")))
        #expect(diff.same)
        try model.writeGraph(to: out("waveforms.dot"))
        #expect(try String(contentsOfFile: out("waveforms.dot"), encoding: .utf8).hasPrefix("digraph"))

        do {
            _ = try KerasModel.load(path: example("Tests/Fixtures/damaged/wrong_shape.h5"))
            Issue.record("the damaged file loaded")
        } catch let error as KerasFormatError {
            #expect(
                "\(error)".hasSuffix("wrong_shape.h5: layer 'waveform': slot 'bias' has shape [5], the layer needs [3]")
            )
            #expect("\(error.code) \(error.layer ?? "") \(error.slot ?? "")" == "weightMismatch waveform bias")
        }

        // The README shows these calls: they must still be there.
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        for call in [
            "KerasModel.load(path: \"Examples/waveforms.keras\")", "model.run(arrays, file:",
            "Validation.validate(path:",
            "format: .legacyModel, dialect: .keras2", "old.measureConversion(to: .keras3", "model.difference(from:",
            "model.writeGraph(to:", "model.predict(", "error.code, error.layer", "error.member",
        ] {
            #expect(readme.contains(call), "README lacks \(call)")
        }
    }
}

extension KerasFormatReadmeTests {
    @Test("the README's saving-models-built-in-Swift example works")
    func buildingExample() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-readme-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        func out(_ name: String) -> String { scratch.appendingPathComponent(name).path }

        var model = Model.sequential([
            .input(name: "signal", shape: [40, 1], batchSize: nil),
            .recurrent(RNN(cell: try LSTMCell(units: 16, inputSize: 1))),
            .feedForward(try Dense(units: 3, inputSize: 16, activation: .softmax)),
        ])
        try model.loadWeights(path: Self.root.appendingPathComponent("Examples/waveforms.weights.h5").path)
        let keras = try KerasModel(model)
        try keras.write(to: out("waveforms_swift.keras"), format: .kerasArchive)
        try keras.write(to: out("waveforms_swift.h5"), format: .legacyModel, dialect: .keras2)
        let config = try model.layers[1].kerasConfig()
        #expect(config["class_name"]?.stringValue == "LSTM")
        try KerasModel(layer: model.layers[1], inputShape: [40, 1]).write(to: out("lstm.keras"), format: .kerasArchive)

        // The Swift model with the example's weights predicts what the example file does.
        var example = try KerasModel.load(path: Self.root.appendingPathComponent("Examples/waveforms.keras").path)
        var written = try KerasModel.load(path: out("waveforms_swift.keras"))
        let x = Tensor(shape: [2, 40, 1], scalars: (0..<80).map { Float($0 % 7) / 7 })
        #expect(try written.model.call([x])[0] == (try example.model.call([x])[0]))
        #expect(try model.call([x])[0] == (try example.model.call([x])[0]))

        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        for call in [
            "try model.loadWeights(path: \"Examples/waveforms.weights.h5\")", "let keras = try KerasModel(model)",
            "try model.layers[1].kerasConfig()", "KerasModel(layer: model.layers[1], inputShape: [40, 1])",
        ] {
            #expect(readme.contains(call), "README lacks \(call)")
        }
    }
}
