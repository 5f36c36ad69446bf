import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Keras weights loaded into models built in Swift (`Model.loadWeights`), from files Keras 3 and tf_keras
/// wrote: by order and by name from legacy `.h5`, by structure from Keras 3 files; each then predicts
/// what Keras predicted.
@Suite("Loading Keras weights into models built in Swift")
struct LoadWeightsTests {
    /// The architecture of the Keras 3 fixture `encoder_decoder` (tools/make_model_fixtures.py), with
    /// fresh weights and the given names.
    static func encoderDecoder(names: [String] = ["rnn", "rnn", "dense"], denseUnits: Int = 3) throws -> Model {
        Model(
            name: "swift_encoder_decoder",
            layers: [
                .input(name: "a", shape: [5, 3], batchSize: nil), .input(name: "b", shape: [4, 2], batchSize: nil),
                .recurrent(RNN(cell: try LSTMCell(units: 4, inputSize: 3, seed: 1), returnState: true, name: names[0])),
                .recurrent(
                    RNN(cell: try LSTMCell(units: 4, inputSize: 2, seed: 2), returnSequences: true, name: names[1])),
                .feedForward(try Dense(units: denseUnits, inputSize: 4, seed: 3, name: names[2])),
            ],
            nodes: [
                .init(layer: 0), .init(layer: 1), .init(layer: 2, inputs: [.init(node: 0)]),
                .init(
                    layer: 3, inputs: [.init(node: 1)],
                    initialState: [.init(node: 2, output: 1), .init(node: 2, output: 2)]),
                .init(layer: 4, inputs: [.init(node: 3)]),
            ], inputs: [.init(node: 0), .init(node: 1)], outputs: [.init(node: 4)])
    }

    static func expectKerasOutputs(_ model: Model, _ label: String) throws {
        let item = try #require(ModelFileTests.fixture.models.first { $0.name == "encoder_decoder" })
        var model = model
        let outputs = try model.call(item.inputs.map(\.tensor))
        expectClose(outputs[0], item.calls[0].outputs[0].tensor, label)
    }

    @Test(
        "Keras 3's files: legacy .h5 by order and by name, .weights.h5 and .keras by structure",
        arguments: ["h5", "weights.h5", "keras"])
    func keras3Files(_ suffix: String) throws {
        let path = LayoutTests.fixture("models/encoder_decoder.\(suffix)")
        var model = try Self.encoderDecoder()
        try model.loadWeights(path: path)
        try Self.expectKerasOutputs(model, suffix)
        guard suffix == "h5" else {
            let error = #expect(throws: KerasFormatError.self) { try model.loadWeights(path: path, byName: true) }
            #expect(error?.description.contains("by the model's structure") == true)
            return
        }
        var named = try Self.encoderDecoder(names: ["encoder", "decoder", "dense"])
        try named.loadWeights(path: path, byName: true)
        try Self.expectKerasOutputs(named, "by name")
    }

    @Test("by name, layers the file does not name keep their weights")
    func byNameKeeps() throws {
        var model = try Self.encoderDecoder(names: ["encoder", "decoder", "head"])
        let head = model.layers[4].weights
        try model.loadWeights(path: LayoutTests.fixture("models/encoder_decoder.h5"), byName: true)
        #expect(model.layers[4].weights == head)
        #expect(model.layers[2].weights != (try Self.encoderDecoder()).layers[2].weights)
    }

    @Test("weights of another shape are refused naming the layer and both shapes, or skipped on request")
    func mismatch() throws {
        for suffix in ["h5", "weights.h5"] {
            let path = LayoutTests.fixture("models/encoder_decoder.\(suffix)")
            var model = try Self.encoderDecoder(denseUnits: 2)
            let error = #expect(throws: KerasFormatError.self) { try model.loadWeights(path: path) }
            let message = error?.description ?? ""
            #expect(message.contains("dense") && message.contains("[4, 3]") && message.contains("[4, 2]"), "\(message)")
            #expect(error?.code == .weightMismatch && error?.layer == "dense" && error?.slot == "kernel", "\(message)")
            let dense = model.layers[4].weights
            let skipped = try model.loadWeights(path: path, skipMismatch: true)
            #expect(skipped == ["dense"], "\(suffix)")
            #expect(model.layers[4].weights == dense)
        }
    }

    @Test("a model with fewer layers than the file is refused by order, naming both lists")
    func countMismatch() throws {
        var model = Model.sequential([
            .input(name: "a", shape: [5, 3], batchSize: nil),
            .recurrent(RNN(cell: try LSTMCell(units: 4, inputSize: 3))),
        ])
        let error = #expect(throws: KerasFormatError.self) {
            try model.loadWeights(path: LayoutTests.fixture("models/encoder_decoder.h5"))
        }
        #expect(error?.description.contains("holds weights for 3 layers") == true, "\(String(describing: error))")
    }

    @Test("tf_keras's legacy .h5, full model and weights only, by order")
    func tfKerasFiles() throws {
        let item = try #require(TFKerasModelFileTests.fixture.models.first { $0.name == "embedding_lstm_gru" })
        for file in ["embedding_lstm_gru.h5", "embedding_lstm_gru_weights.h5"] {
            var model = Model.sequential([
                .input(name: "tokens", shape: [6], batchSize: nil),
                .feedForward(try Embedding(inputDim: 20, outputDim: 4, maskZero: true)),
                .recurrent(RNN(cell: try LSTMCell(units: 5, inputSize: 4), returnSequences: true)),
                .recurrent(RNN(cell: try GRUCell(units: 3, inputSize: 5))),
                .feedForward(try Dense(units: 2, inputSize: 3, activation: .softmax)),
            ])
            try model.loadWeights(path: LayoutTests.fixture("models_tf_keras/\(file)"))
            expectClose(try model.call(item.inputs.map(\.tensor))[0], item.outputs[0].tensor, file)
        }
    }
}
