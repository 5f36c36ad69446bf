import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Files with things beside the weights that Keras ignores (people's own groups, attributes, archive
/// members, a stray group under `model_weights`): RNNKit loads them as Keras does, with Keras's numbers,
/// and validation finds nothing wrong. Made and loaded by Keras in `tools/make_extras_fixtures.py`.
@Suite("Files with extras Keras ignores")
struct ExtrasTests {
    struct Fixture: Decodable { var outputs: [String: Array32] }

    static let fixture: Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("extras/outputs.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    @Test("each file loads and predicts what Keras predicts", arguments: fixture.outputs.keys.sorted())
    func load(_ name: String) throws {
        let path = LayoutTests.fixture("extras/\(name)")
        let config = name.hasSuffix(".weights.h5") ? LoadingTests.example("waveforms.json") : nil
        var loaded = try KerasModel.load(path: path, configPath: config)
        let input = try NumPyArray.read(path: LoadingTests.example("waveforms_input.npy"))
        let output = try loaded.model.call([input.tensor])[0]
        LoadingTests.expectClose(output, try #require(Self.fixture.outputs[name]).tensor, name)
        #expect(Validation.validate(path: path, configPath: config).isEmpty)
    }
}
