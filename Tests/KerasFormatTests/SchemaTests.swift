import Foundation
import KerasFormat
import Testing

@testable import KerasFormat

/// The schemas the binary carries are Schemas/, and RNNKit's validator agrees with the Python one.
@Suite("Schemas")
struct SchemaTests {
    static let schemas = LayoutTests.fixtures.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Schemas")

    @Test("the embedded schemas are exactly Schemas/ (a new schema needs its line in EmbeddedSchemas.swift)")
    func embedded() throws {
        let files =
            FileManager.default.enumerator(atPath: Self.schemas.path)?.compactMap { $0 as? String }.filter {
                $0.hasSuffix(".schema.json")
            } ?? []
        #expect(Set(files) == Set(EmbeddedSchemas.files.keys))
        for file in files {
            #expect(
                try String(contentsOf: Self.schemas.appendingPathComponent(file), encoding: .utf8)
                    == EmbeddedSchemas.files[file], "\(file)")
        }
    }

    @Test(
        "every Keras 3 config in the fixtures follows model.schema.json",
        arguments: [
            "models/encoder_decoder.json", "models/bidirectional_two_outputs.json", "models/operation_node_mask.json",
            "models/stateful_lstm.json",
            "custom/minimal_stacked.json", "surrounding/sentiment.json", "surrounding/forecaster.json",
            "surrounding/autoencoder.json", "surrounding/seq2seq.json", "surrounding/dot_attention.json",
            "surrounding/bahdanau_translator.json", "surrounding/attention_tagger.json",
            "convlstm/stacked_convlstm2d.json",
        ])
    func fixtures(_ relative: String) throws {
        let config = try JSONValue.parse(
            [UInt8](try Data(contentsOf: LayoutTests.fixtures.appendingPathComponent(relative))))
        #expect(try SchemaValidator().validate(config, against: "model.schema.json") == [])
    }

    @Test("a config with mistakes gives findings naming the layer")
    func mistakes() throws {
        var text = try String(
            contentsOf: LayoutTests.fixtures.appendingPathComponent("models/encoder_decoder.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"units\": 4", with: "\"units\": \"four\"")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rnnkit-schema-\(UUID().uuidString).json"
        ).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let findings = Validation.validate(
            path: LayoutTests.fixture("models/encoder_decoder.weights.h5"), configPath: path)
        let schema = findings.filter { $0.message.contains("Schemas/model.schema.json") }
        #expect(schema.count >= 2 && schema.contains { $0.layer == "encoder" && $0.message.contains("units") })
    }

    @Test("a ConvLSTM, Attention or Conv2D config with mistakes gives findings naming the field")
    func newLayerMistakes() throws {
        let cases = [
            (
                #"{"class_name": "ConvLSTM2D", "config": {"name": "c", "kernel_size": 3, "padding": "causal"}}"#,
                ["filters", "padding"]
            ),
            (
                #"{"class_name": "Attention", "config": {"name": "a", "score_mode": "cosine", "dropout": 2}}"#,
                ["score_mode", "dropout"]
            ),
            // Fields the layer schemas share through layers/common.schema.json's $defs.
            (
                #"{"class_name": "Conv2D", "config": {"name": "", "filters": 2, "kernel_size": 3, "dtype": 7, "kernel_initializer": 5, "data_format": "nchw", "activation": 1}}"#,
                ["name", "dtype", "kernel_initializer", "data_format", "activation"]
            ),
        ]
        for (text, fields) in cases {
            let findings = try SchemaValidator().validate(
                try JSONValue.parse(Array(text.utf8)), against: "layer.schema.json")
            for field in fields {
                #expect(findings.contains { "\($0)".contains(field) }, "\(field) in \(findings)")
            }
        }
    }
}
