import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Files from Keras 1, standalone Keras 2.0 and cuDNN layers (tools/make_legacy_generation_fixtures.py,
/// written with h5py in the documented layouts from tf_keras models) predict tf_keras's outputs.
@Suite("Older Keras generations")
struct LegacyGenerationTests {
    struct Fixture: Decodable {
        var input: Array32
        var outputs: [String: Array32]
    }

    static let fixture: Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("legacy/outputs.json"))
        return try! JSONDecoder().decode(Fixture.self, from: data)
    }()

    @Test("each file predicts Keras's outputs", arguments: fixture.outputs.keys.sorted())
    func generation(_ name: String) throws {
        var loaded = try KerasModel.load(path: LayoutTests.fixture("legacy/\(name).h5"))
        let output = try loaded.model.call([Self.fixture.input.tensor])[0]
        LoadingTests.expectClose(output, try #require(Self.fixture.outputs[name]).tensor, name)
    }

    @Test("a file without a keras_version is read as Keras 1 (hard_sigmoid 0.2x+0.5)")
    func noVersion() throws {
        let loaded = try KerasModel.load(path: LayoutTests.fixture("legacy/keras1_gru_no_version.h5"))
        #expect(loaded.kerasVersion == "1")
        guard case .recurrent(let rnn) = loaded.model.layers[1], let cell = rnn.cell as? GRUCell else {
            Issue.record("the first layer is not a GRU")
            return
        }
        #expect(cell.recurrentActivation == .hardSigmoidKeras2 && !cell.resetAfter)
    }
}
