import Foundation
import RecurrentLayers
import Testing

/// Every activation against Keras's own outputs on a grid (tools/make_activation_fixtures.py).
@Suite("Activations")
struct ActivationTests {
    struct Fixture: Decodable {
        var keras_version: String
        var inputs: [Float]
        var row_width: Int
        var outputs: [String: [Double]]
    }

    static func load(_ generation: String) throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/layers/activations_\(generation).json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test("every activation matches its Keras (3.15.1, tf_keras 2.21) by name", arguments: ["keras3", "tf_keras"])
    func matchesKeras(_ generation: String) throws {
        let fixture = try Self.load(generation)
        #expect(!fixture.outputs.isEmpty)
        for (name, expected) in fixture.outputs.sorted(by: { $0.key < $1.key }) {
            let activation = try Activation(kerasName: name, keras2: generation == "tf_keras")
            var values = fixture.inputs
            activation.apply(&values, rowWidth: fixture.row_width)
            let mismatches = zip(zip(fixture.inputs, values), expected).filter { !isClose($0.1, Float($1)) }
            #expect(
                mismatches.isEmpty,
                "\(generation) \(name): \(mismatches.prefix(3).map { "f(\($0.0.0)) = \($0.0.1), Keras \($0.1)" })")
        }
    }

    @Test("hard_sigmoid has two forms, picked by generation")
    func hardSigmoidForms() throws {
        #expect(try Activation(kerasName: "hard_sigmoid") == .hardSigmoid)
        #expect(try Activation(kerasName: "hard_sigmoid", keras2: true) == .hardSigmoidKeras2)
        #expect(try Activation(kerasName: nil) == .linear)
        #expect(throws: RecurrentError.self) { try Activation(kerasName: "no_such_activation") }
    }
}
