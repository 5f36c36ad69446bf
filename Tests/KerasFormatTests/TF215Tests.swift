import Foundation
import KerasFormat
import RecurrentLayers
import Testing

/// `.keras` archives, legacy `.h5` and weights-only `.h5` written by tf.keras 2.15 (Keras 2 dialect with
/// keras.src.engine module names, Keras 3's weight paths in the archive), made by
/// `tools/make_tf215_fixtures.py`: each predicts what tf.keras 2.15 predicted and validates clean.
@Suite("tf.keras 2.15 files")
struct TF215Tests {
    struct Fixture: Decodable { var models: [TFKerasModelFileTests.Case] }

    static let fixture: Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("tf215/outputs.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    @Test(
        "each model, from each layout, returns tf.keras 2.15's outputs", arguments: fixture.models.map(\.name),
        ["keras", "h5", "weights"])
    func model(_ name: String, _ layout: String) throws {
        let item = try #require(Self.fixture.models.first { $0.name == name })
        let base = LayoutTests.fixture("tf215/\(name)")
        let path = layout == "weights" ? base + "_weights.h5" : base + "." + layout
        let config = layout == "weights" ? base + ".json" : nil
        var loaded = try KerasModel.load(path: path, configPath: config)
        #expect(loaded.kerasVersion == "2.15.0" || layout == "weights")
        let outputs = try loaded.model.call(item.inputs.map(\.tensor))
        #expect(outputs.count == item.outputs.count)
        for (ours, keras) in zip(outputs, item.outputs) {
            LoadingTests.expectClose(ours, keras.tensor, "\(name) (\(layout))")
        }
        #expect(Validation.validate(path: path, configPath: config).isEmpty)
    }
}
