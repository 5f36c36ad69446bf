import Foundation
import RecurrentLayers
import TestSupport
import Testing

/// Whole models against Keras 3.15.1 (tools/make_model_fixtures.py): the architectures are written
/// here as in the script; weights, inputs and every expected output come from Keras.
@Suite("Models")
struct ModelTests {
    struct Case: Decodable {
        struct Call: Decodable {
            var reset: Bool
            var outputs: [Array32]
        }
        var name: String
        var weights: [String: [Array32]]
        var inputs: [Array32]
        var calls: [Call]
    }

    struct Fixture: Decodable { var models: [Case] }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/layers/models_keras3.json")
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func lstm(_ units: Int, _ inputSize: Int) throws -> LSTMCell {
        try LSTMCell(units: units, inputSize: inputSize)
    }
    static func gru(_ units: Int, _ inputSize: Int) throws -> GRUCell {
        try GRUCell(units: units, inputSize: inputSize)
    }

    /// The architecture of each fixture model, as tools/make_model_fixtures.py builds it.
    static func architecture(_ name: String) throws -> Model {
        switch name {
        case "embedding_lstm_gru":
            return .sequential([
                .input(name: "input_layer", shape: [6], batchSize: nil),
                .feedForward(try Embedding(inputDim: 20, outputDim: 4, maskZero: true)),
                .recurrent(RNN(cell: try lstm(5, 4), returnSequences: true, name: "lstm")),
                .recurrent(RNN(cell: try gru(3, 5), name: "gru")),
                .feedForward(try Dense(units: 2, inputSize: 3, activation: .softmax)),
            ])
        case "masking_simple_rnn_time_distributed":
            return .sequential([
                .input(name: "input_layer", shape: [5, 3], batchSize: nil),
                .feedForward(Masking(maskValue: 0)),
                .recurrent(
                    RNN(cell: try SimpleRNNCell(units: 4, inputSize: 3), returnSequences: true, name: "simple_rnn")),
                .feedForward(TimeDistributed(try Dense(units: 2, inputSize: 4))),
            ])
        case "encoder_decoder":
            return Model(
                layers: [
                    .input(name: "encoder_input", shape: [5, 3], batchSize: nil),
                    .input(name: "decoder_input", shape: [4, 2], batchSize: nil),
                    .recurrent(RNN(cell: try lstm(4, 3), returnState: true, name: "encoder")),
                    .recurrent(RNN(cell: try lstm(4, 2), returnSequences: true, name: "decoder")),
                    .feedForward(try Dense(units: 3, inputSize: 4)),
                ],
                nodes: [
                    .init(layer: 0), .init(layer: 1), .init(layer: 2, inputs: [.init(node: 0)]),
                    .init(
                        layer: 3, inputs: [.init(node: 1)],
                        initialState: [.init(node: 2, output: 1), .init(node: 2, output: 2)]),
                    .init(layer: 4, inputs: [.init(node: 3)]),
                ],
                inputs: [.init(node: 0), .init(node: 1)], outputs: [.init(node: 4)])
        case "bidirectional_two_outputs":
            return Model(
                layers: [
                    .input(name: "input_layer", shape: [5, 3], batchSize: nil),
                    .bidirectional(try Bidirectional(RNN(cell: try gru(3, 3), returnSequences: true, name: "gru"))),
                    .feedForward(TimeDistributed(try Dense(units: 2, inputSize: 6))),
                    .recurrent(RNN(cell: try gru(2, 6), name: "gru")),
                    .feedForward(try Dense(units: 1, inputSize: 2)),
                ],
                nodes: [
                    .init(layer: 0), .init(layer: 1, inputs: [.init(node: 0)]),
                    .init(layer: 2, inputs: [.init(node: 1)]),
                    .init(layer: 3, inputs: [.init(node: 1)]), .init(layer: 4, inputs: [.init(node: 3)]),
                ],
                inputs: [.init(node: 0)], outputs: [.init(node: 2), .init(node: 4)])
        case "stateful_lstm":
            return .sequential([
                .input(name: "input_layer", shape: [5, 3], batchSize: 3),
                .recurrent(
                    RNN(cell: try lstm(3, 3), returnSequences: true, stateful: true, batchSize: 3, name: "lstm")),
                .feedForward(try Dense(units: 1, inputSize: 3)),
            ])
        case "operation_node_mask":
            return Model(
                layers: [
                    .input(name: "ids", shape: [6], batchSize: nil), .operation(name: "not_equal", .notEqual(0)),
                    .feedForward(try Embedding(inputDim: 20, outputDim: 3)),
                    .recurrent(RNN(cell: try lstm(4, 3), returnSequences: true, name: "lstm")),
                    .feedForward(try Dense(units: 2, inputSize: 4)),
                ],
                nodes: [
                    .init(layer: 0), .init(layer: 1, inputs: [.init(node: 0)]),
                    .init(layer: 2, inputs: [.init(node: 0)]),
                    .init(layer: 3, inputs: [.init(node: 2)], mask: .init(node: 1)),
                    .init(layer: 4, inputs: [.init(node: 3)]),
                ],
                inputs: [.init(node: 0)], outputs: [.init(node: 4)])
        default:
            return .sequential([
                .input(name: "input_layer", shape: [6], batchSize: nil),
                .feedForward(try Embedding(inputDim: 20, outputDim: 3, maskZero: true)),
                .bidirectional(try Bidirectional(RNN(cell: try lstm(4, 3), name: "lstm"))),
                .feedForward(try Dense(units: 1, inputSize: 8, activation: .sigmoid)),
            ])
        }
    }

    @Test("each model returns Keras's outputs", arguments: fixture.models.map(\.name))
    func matchesKeras(_ name: String) throws {
        let item = try #require(Self.fixture.models.first { $0.name == name })
        var model = try Self.architecture(name)
        var loaded = 0
        for index in model.layers.indices where !model.layers[index].weightSlots.isEmpty {
            let weights = try #require(
                item.weights[model.layers[index].name], "no weights for \(model.layers[index].name)")
            try model.layers[index].setWeights(weights.map(\.tensor))
            loaded += 1
        }
        #expect(loaded == item.weights.count)
        let inputs = item.inputs.map(\.tensor)
        for (index, call) in item.calls.enumerated() {
            if call.reset { try model.resetStates() }
            let outputs = try model.call(inputs)
            #expect(outputs.count == call.outputs.count)
            for (ours, keras) in zip(outputs, call.outputs) {
                #expect(ours.shape == keras.shape, "\(name) call \(index)")
                expectClose(ours.scalars, keras.values, "\(name) call \(index)")
            }
        }
    }

    @Test("models refuse wrong inputs and broken graphs, naming the layer")
    func errors() throws {
        var model = try Self.architecture("encoder_decoder")
        let count = #expect(throws: RecurrentError.self) { try model.call([Tensor.zeros([1, 5, 3])]) }
        #expect(count?.code == .countMismatch)
        let shape = #expect(throws: RecurrentError.self) {
            try model.call([Tensor.zeros([1, 5, 4]), Tensor.zeros([1, 4, 2])])
        }
        #expect(
            shape?.description == "layer 'encoder_input': expected an input of shape (None, 5, 3), received [1, 5, 4]")
        var broken = model
        broken.nodes[2].inputs = [.init(node: 3)]
        #expect(throws: RecurrentError.self) { try broken.call([Tensor.zeros([1, 5, 3]), Tensor.zeros([1, 4, 2])]) }
    }

    @Test("an explicit mask tensor wins over the input's own mask")
    func explicitMask() throws {
        let ids = Tensor(shape: [2, 4], scalars: [0, 3, 4, 5, 6, 7, 0, 0])
        let explicit = Tensor(shape: [2, 4], scalars: [1, 1, 0, 1, 1, 0, 1, 1])
        var model = Model(
            layers: [
                .input(name: "ids", shape: [4], batchSize: nil), .input(name: "mask", shape: [4], batchSize: nil),
                .feedForward(try Embedding(inputDim: 8, outputDim: 3, maskZero: true, seed: 1)),
                .recurrent(RNN(cell: try Self.lstm(2, 3), returnSequences: true, name: "lstm")),
            ],
            nodes: [
                .init(layer: 0), .init(layer: 1), .init(layer: 2, inputs: [.init(node: 0)]),
                .init(layer: 3, inputs: [.init(node: 2)], mask: .init(node: 1)),
            ],
            inputs: [.init(node: 0), .init(node: 1)], outputs: [.init(node: 3)])
        let output = try model.call([ids, explicit])[0]
        guard case .recurrent(var lstm) = model.layers[3], case .feedForward(let embedding) = model.layers[2] else {
            Issue.record("the model's layers changed kind")
            return
        }
        let expected = try lstm.call(
            try embedding.call(ids, training: false),
            mask: Mask(shape: [2, 4], values: explicit.scalars.map { $0 != 0 })
        ).output
        #expect(output == expected)
    }
}
