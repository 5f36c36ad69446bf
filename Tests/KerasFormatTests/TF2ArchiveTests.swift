import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// `.keras` archives, legacy `.h5` and weights-only `.h5` written by tf.keras 2.13 and 2.15 (Keras 2
/// dialect with keras.src.engine module names; archive weights under `_layer_checkpoint_dependencies/` in
/// 2.13, `layers/` in 2.15), made by `tools/make_tf2_archive_fixtures.py`: each predicts what tf.keras
/// predicted and validates clean.
@Suite("tf.keras 2.13 and 2.15 files")
struct TF2ArchiveTests {
    struct Fixture: Decodable { var models: [TFKerasModelFileTests.Case] }

    static let generations = ["tf213": "2.13.1", "tf215": "2.15.0"]

    static func fixture(_ generation: String) -> Fixture {
        let url = LayoutTests.fixtures.appendingPathComponent("\(generation)/outputs.json")
        return try! JSONDecoder().decode(Fixture.self, from: try! Data(contentsOf: url))
    }

    static var cases: [String] {
        generations.keys.sorted().flatMap { generation in fixture(generation).models.map { "\(generation)/\($0.name)" }
        }
    }

    @Test("each model, from each layout, returns tf.keras's outputs", arguments: cases, ["keras", "h5", "weights"])
    func model(_ name: String, _ layout: String) throws {
        let generation = String(name.prefix { $0 != "/" })
        let item = try #require(Self.fixture(generation).models.first { "\(generation)/\($0.name)" == name })
        let base = LayoutTests.fixture(name)
        let path = layout == "weights" ? base + "_weights.h5" : base + "." + layout
        let config = layout == "weights" ? base + ".json" : nil
        var loaded = try KerasModel.load(path: path, configPath: config)
        #expect(loaded.kerasVersion == Self.generations[generation] || layout == "weights")
        let outputs = try loaded.model.call(item.inputs.map(\.tensor))
        #expect(outputs.count == item.outputs.count)
        for (ours, keras) in zip(outputs, item.outputs) {
            LoadingTests.expectClose(ours, keras.tensor, "\(name) (\(layout))")
        }
        #expect(Validation.validate(path: path, configPath: config).isEmpty)
    }
}
