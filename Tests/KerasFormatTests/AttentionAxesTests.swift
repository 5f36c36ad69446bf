import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// MultiHeadAttention on inputs of rank 4 and 5 (issue 16), from files Keras 3.15.1 wrote
/// (tools/make_attention_axes_fixtures.py): default attention axes, one axis, two of three, cross-attention
/// to a grid of another size, return_attention_scores, an attention_mask input (alone, and joined with a
/// padding mask and the causal mask); read from .keras and .h5, written in every layout
/// and in tf.keras's dialect.
@Suite("MultiHeadAttention over grids and chosen axes")
struct AttentionAxesTests {
    static let fixture: ModelFileTests.Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("attention_axes/outputs.json"))
        return try! JSONDecoder().decode(ModelFileTests.Fixture.self, from: data)
    }()

    @Test(
        "each MultiHeadAttention grid case returns Keras's outputs, from .keras and legacy .h5",
        arguments: fixture.models.map(\.name), ["keras", "h5"])
    func read(_ name: String, _ layout: String) throws {
        let item = try #require(Self.fixture.models.first { $0.name == name })
        try SurroundingLayerTests.check(item, path: LayoutTests.fixture("attention_axes/\(name).\(layout)"))
    }

    @Test(
        "each case written in every layout (and in tf.keras's dialect) reads back with Keras's outputs",
        arguments: KerasWriteFormat.allCases)
    func write(_ format: KerasWriteFormat) throws {
        let directory = try NestedModelTests.directory("attention_axes")
        let weightsOnly = format == .kerasWeights || format == .legacyWeights
        for item in Self.fixture.models {
            let source = try KerasModel.load(path: LayoutTests.fixture("attention_axes/\(item.name).keras"))
            let path = directory.appendingPathComponent("\(item.name).\(format.rawValue)").path
            try source.write(to: path, format: format, overwrite: true)
            let config = directory.appendingPathComponent("\(item.name).json").path
            if weightsOnly { try source.config.jsonText.write(toFile: config, atomically: true, encoding: .utf8) }
            try SurroundingLayerTests.check(item, path: path, config: weightsOnly ? config : nil)
            if format == .legacyModel {
                let keras2 = directory.appendingPathComponent("\(item.name).keras2.h5").path
                try source.write(to: keras2, format: .legacyModel, dialect: .keras2, overwrite: true)
                try SurroundingLayerTests.check(item, path: keras2)
            }
        }
    }
}
