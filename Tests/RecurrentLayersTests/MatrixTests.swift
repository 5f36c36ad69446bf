import Foundation
import RecurrentLayers
import TestSupport
import Testing

/// The fixture matrix (tools/make_layer_matrix.py): real Keras runs of every recurrent layer kind,
/// option and call argument; RNNKit rebuilds each layer from the recorded weights and must return every
/// output within 1e-5 absolute plus 1e-5 relative.
@Suite("Keras fixture matrix")
struct MatrixTests {
    struct Fixture: Decodable {
        var keras_version: String
        var cases: [Case]
    }

    struct Cell: Decodable {
        var kind: String
        var units: Int
        var activation: String?
        var recurrent_activation: String?
        var use_bias: Bool?
        var reset_after: Bool?
    }

    struct Options: Decodable {
        var return_sequences: Bool?
        var return_state: Bool?
        var go_backwards: Bool?
        var stateful: Bool?
        var zero_output_for_mask: Bool?
        var unroll: Bool?
    }

    struct Call: Decodable {
        var input: [Float]
        var mask: [Bool]?
        var initial_state: [[Float]]
        var reset: Bool
        var outputs: [Array32]
    }

    struct Case: Decodable {
        var name: String
        var cells: [Cell]
        var options: Options
        var bidirectional: Bool
        var merge_mode: String?
        var weights: [Array32]
        var input_shape: [Int]
        var calls: [Call]
    }

    static func load(_ generation: String) throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/layers/matrix_\(generation).json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func cell(_ spec: Cell, inputSize: Int, keras2: Bool) throws -> any RecurrentCell {
        let activation = try Activation(kerasName: spec.activation ?? "tanh", keras2: keras2)
        let recurrent = try Activation(kerasName: spec.recurrent_activation ?? "sigmoid", keras2: keras2)
        let useBias = spec.use_bias ?? true
        switch spec.kind {
        case "simple_rnn":
            return try SimpleRNNCell(units: spec.units, inputSize: inputSize, activation: activation, useBias: useBias)
        case "lstm":
            return try LSTMCell(
                units: spec.units, inputSize: inputSize, activation: activation, recurrentActivation: recurrent,
                useBias: useBias)
        default:
            return try GRUCell(
                units: spec.units, inputSize: inputSize, activation: activation, recurrentActivation: recurrent,
                useBias: useBias,
                resetAfter: spec.reset_after ?? true)
        }
    }

    /// A layer rebuilt from a case: `call` runs it, `reset` resets it.
    struct Rebuilt {
        var rnn: RNN?
        var bidirectional: Bidirectional?

        mutating func call(_ x: Tensor, initialState: [Tensor]?, mask: Mask?) throws -> [Tensor] {
            if rnn != nil { return try rnn!.call(x, initialState: initialState, mask: mask).tensors }
            return try bidirectional!.call(x, initialState: initialState, mask: mask)
        }

        mutating func reset() throws {
            if rnn != nil { try rnn!.resetStates() } else { try bidirectional!.resetStates() }
        }
    }

    static func rebuild(_ item: Case, keras2: Bool) throws -> Rebuilt {
        var inputSize = item.input_shape[2]
        var cells: [any RecurrentCell] = []
        for spec in item.cells {
            cells.append(try cell(spec, inputSize: inputSize, keras2: keras2))
            inputSize = spec.units
        }
        let o = item.options
        let rnn = RNN(
            cell: cells.count == 1 ? cells[0] : StackedRNNCells(cells), returnSequences: o.return_sequences ?? false,
            returnState: o.return_state ?? false, goBackwards: o.go_backwards ?? false, stateful: o.stateful ?? false,
            unroll: o.unroll ?? false, zeroOutputForMask: o.zero_output_for_mask ?? false)
        let weights = item.weights.map(\.tensor)
        if item.bidirectional {
            let mode = item.merge_mode == "none" ? nil : Bidirectional.MergeMode(rawValue: item.merge_mode ?? "concat")
            var layer = try Bidirectional(rnn, mergeMode: mode)
            try layer.setWeights(weights)
            return Rebuilt(bidirectional: layer)
        }
        var layer = rnn
        try layer.setWeights(weights)
        return Rebuilt(rnn: layer)
    }

    @Test("every case returns Keras's outputs", arguments: ["keras3", "tf_keras"])
    func matrix(_ generation: String) throws {
        let fixture = try Self.load(generation)
        // The counts tools/make_layer_matrix.py writes: a fixture cut short fails here, not silently.
        #expect(fixture.cases.count == (generation == "keras3" ? 204 : 12), "\(fixture.cases.count) cases")
        for item in fixture.cases {
            var layer = try Self.rebuild(item, keras2: generation == "tf_keras")
            let (batch, timesteps) = (item.input_shape[0], item.input_shape[1])
            let stateSizes = item.cells.flatMap { Array(repeating: $0.units, count: $0.kind == "lstm" ? 2 : 1) }
            for (index, call) in item.calls.enumerated() {
                if call.reset { try layer.reset() }
                let x = Tensor(shape: item.input_shape, scalars: call.input)
                let mask = call.mask.map { Mask(shape: [batch, timesteps], values: $0) }
                let states =
                    call.initial_state.isEmpty
                    ? nil
                    : zip(call.initial_state, stateSizes.cycled(to: call.initial_state.count)).map {
                        Tensor(shape: [batch, $1], scalars: $0)
                    }
                let outputs = try layer.call(x, initialState: states, mask: mask)
                #expect(
                    outputs.count == call.outputs.count,
                    "\(item.name) call \(index): \(outputs.count) outputs, Keras \(call.outputs.count)")
                for (position, (ours, keras)) in zip(outputs, call.outputs).enumerated() {
                    #expect(ours.shape == keras.shape, "\(item.name) call \(index) output \(position)")
                    expectClose(ours.scalars, keras.values, "\(item.name) call \(index) output \(position)")
                }
            }
        }
    }
}

extension Array {
    /// The elements repeated cyclically to `count` (a Bidirectional layer's states are the forward
    /// sizes, then the same sizes again).
    fileprivate func cycled(to count: Int) -> [Element] {
        (0..<count).map { self[$0 % self.count] }
    }
}
