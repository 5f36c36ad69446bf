import Foundation
import HDF5
import KerasFormat
import RecurrentLayers
import Testing

/// Validation collects every finding, each naming the file, the layer and the slot.
@Suite("Validation")
struct ValidationTests {
    static func scratch(_ name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rnnkit-validation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    @Test(
        "every fixture model RNNKit supports is valid",
        arguments: [
            "models/encoder_decoder.keras", "models/bidirectional_two_outputs.h5", "models_tf_keras/stateful_lstm.h5",
            "legacy/keras2_cudnn_gru.h5", "legacy/keras1_bidirectional_lstm.h5", "spatial/captcha_crnn.keras",
            "spatial/lrcn.h5", "spatial/convlstm_classifier.keras",
        ])
    func valid(_ relative: String) throws {
        let findings = Validation.validate(path: LayoutTests.fixture(relative))
        #expect(findings.filter { $0.severity == .error }.isEmpty, "\(findings)")
    }

    @Test("a config that does not fit the weights gives one finding per slot and missing group")
    func mismatches() throws {
        let findings = Validation.validate(
            path: LoadingTests.example("waveforms.weights.h5"),
            configPath: LayoutTests.fixture("models/encoder_decoder.json"))
        #expect(findings.count == 5 && findings.allSatisfy { $0.severity == .error && $0.layer != nil })
        #expect(findings.filter { $0.slot != nil }.map(\.slot) == ["kernel", "recurrent_kernel", "bias", "kernel"])
        #expect(findings.contains { $0.description.contains("has shape [1, 64], the layer needs [3, 16]") })
        #expect(findings.contains { $0.description.contains("no /layers/lstm_1/cell/vars") })
    }

    @Test("unsupported classes and unregistered cells are named, all of them")
    func unsupported() throws {
        let unsupported = Validation.validate(path: LayoutTests.fixture("surrounding/unsupported.keras"))
        #expect(unsupported.map(\.layer) == ["double", "unit_norm"])
        #expect(unsupported[0].message.contains("Lambda") && unsupported[1].message.contains("UnitNormalization"))
        #expect(
            Validation.unsupportedLayers(path: LayoutTests.fixture("surrounding/unsupported.keras")).count == 2)
        #expect(Validation.validate(path: LayoutTests.fixture("tf_keras/functional.h5")).isEmpty)
        let custom = Validation.validate(path: LayoutTests.fixture("custom/minimal_stacked.keras"))
        #expect(custom.count == 2 && custom.allSatisfy { $0.message.contains("MinimalRNNCell") })
        #expect(
            Validation.validate(
                path: LayoutTests.fixture("custom/minimal_stacked.keras"), customObjects: CustomObjectTests.registry
            ).isEmpty)
    }

    @Test("non-finite values and unused weights are errors; training-only options are warnings")
    func values() throws {
        let path = try Self.scratch("model.weights.h5")
        try KerasModel.load(path: LoadingTests.example("waveforms.keras")).write(to: path, format: .kerasWeights)
        do {
            let file = try HDF5File(opening: path, mode: .readWrite)
            try file.root.removeLink("layers/dense/vars/1")
            try file.root.createDataset("layers/dense/vars/1", values: [Float.nan, 1, .infinity], shape: [3])
            try file.root.createDataset("layers/extra/vars/0", values: [Float(1)], shape: [1])
            file.close()
        }
        var config = try JSONValue.parse(
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: LoadingTests.example("waveforms.json")))))
        guard case .object(var top) = config, case .object(var body)? = top["config"],
            case .array(var layers)? = body["config"] ?? body["layers"],
            case .object(var lstm) = layers[1], case .object(var lstmConfig)? = lstm["config"]
        else {
            Issue.record("unexpected example config layout")
            return
        }
        lstmConfig["dropout"] = .double(0.2)
        lstm["config"] = .object(lstmConfig)
        layers[1] = .object(lstm)
        body["layers"] = .array(layers)
        top["config"] = .object(body)
        config = .object(top)
        let configPath = try Self.scratch("config.json")
        try Data(config.jsonText.utf8).write(to: URL(fileURLWithPath: configPath))

        let findings = Validation.validate(path: path, configPath: configPath)
        let nonFinite = findings.first { $0.message.contains("not finite") }
        #expect(
            nonFinite?.layer == "waveform" && nonFinite?.slot == "bias"
                && nonFinite?.message.hasPrefix("2 of 3") == true)
        #expect(findings.contains { $0.severity == .error && $0.message.contains("/layers/extra/vars/0") })
        #expect(
            findings.contains { $0.severity == .warning && $0.layer == "lstm" && $0.message.contains("training only") })
    }
}
