import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Models built in Swift, written in every layout: each reads back with the Swift model's outputs, and
/// the files land in RNNKIT_INTEROP_DIR/built with the inputs and outputs, where Keras 3
/// (tools/tests/test_keras_interop.py) and tf_keras (the Keras 2 dialect file) load them and compare.
@Suite("Models built in Swift")
struct BuildingTests {
    static func directory() throws -> URL {
        let base =
            ProcessInfo.processInfo.environment["RNNKIT_INTEROP_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            .map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-building-\(UUID().uuidString)")
        let url = base.appendingPathComponent("built")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(Double(generator.next() % 20_000) / 10_000 - 1) }
    }

    /// A Sequential LSTM classifier with RNNKit's default names.
    static func classifier() throws -> (Model, [Tensor], names: [String]) {
        let model = Model.sequential(
            [
                .input(name: "signal", shape: [12, 2], batchSize: nil),
                .recurrent(
                    RNN(
                        cell: try LSTMCell(
                            units: 6, inputSize: 2, biasInitializer: .randomNormal(), dropout: 0.1, seed: 1,
                            rules: CellRules(kernelRegularizer: .l2(0.001))))),
                .feedForward(
                    try Dense(
                        units: 3, inputSize: 6, activation: .softmax, seed: 2,
                        rules: CellRules(
                            kernelRegularizer: .l1(0.001), kernelConstraint: .maxNorm(maxValue: 3, axis: [0])))),
            ], name: "classifier")
        return (model, [Tensor(shape: [3, 12, 2], scalars: values(72, seed: 3))], ["signal", "lstm", "dense"])
    }

    /// An encoder-decoder: a masked GRU encoder whose final state starts a GRU decoder, a
    /// TimeDistributed Dense on its sequence; two inputs.
    static func encoderDecoder() throws -> (Model, [Tensor], names: [String]) {
        let encoder = RNN(
            cell: try GRUCell(units: 5, inputSize: 3, biasInitializer: .randomNormal(), seed: 4), returnState: true)
        let decoder = RNN(
            cell: try GRUCell(units: 5, inputSize: 2, resetAfter: false, seed: 5), returnSequences: true)
        let model = Model(
            name: "encoder_decoder",
            layers: [
                .input(name: "source", shape: [6, 3], batchSize: nil),
                .input(name: "target", shape: [4, 2], batchSize: nil),
                .feedForward(Masking(maskValue: 0)), .recurrent(encoder), .recurrent(decoder),
                .feedForward(TimeDistributed(try Dense(units: 2, inputSize: 5, seed: 6))),
            ],
            nodes: [
                .init(layer: 0), .init(layer: 1), .init(layer: 2, inputs: [.init(node: 0)]),
                .init(layer: 3, inputs: [.init(node: 2)]),
                .init(layer: 4, inputs: [.init(node: 1)], initialState: [.init(node: 3, output: 1)]),
                .init(layer: 5, inputs: [.init(node: 4)]),
            ], inputs: [.init(node: 0), .init(node: 1)], outputs: [.init(node: 5)])
        var source = values(2 * 6 * 3, seed: 7)
        for index in (2 * 6 * 3 - 6)..<(2 * 6 * 3) { source[index] = 0 }  // the second sample's last two steps
        return (
            model,
            [Tensor(shape: [2, 6, 3], scalars: source), Tensor(shape: [2, 4, 2], scalars: values(16, seed: 8))],
            // Keras's order for a Functional model's layers (by depth from the outputs), as Keras lists them.
            ["source", "masking", "target", "gru", "gru_1", "time_distributed"]
        )
    }

    /// Token ids through an Embedding with mask_zero, a Bidirectional SimpleRNN, two stacked LSTM cells and
    /// two Dense layers (named `dense` and `dense_1`, as Keras names them).
    static func stacked() throws -> (Model, [Tensor], names: [String]) {
        let bidirectional = try Bidirectional(
            RNN(cell: try SimpleRNNCell(units: 4, inputSize: 5, seed: 9), returnSequences: true))
        let model = Model.sequential(
            [
                .input(name: "tokens", shape: [7], batchSize: nil),
                .feedForward(try Embedding(inputDim: 20, outputDim: 5, maskZero: true, seed: 10)),
                .bidirectional(bidirectional),
                .recurrent(
                    RNN(cells: [
                        try LSTMCell(units: 4, inputSize: 8, seed: 11), try LSTMCell(units: 3, inputSize: 4, seed: 12),
                    ])),
                .feedForward(try Dense(units: 4, inputSize: 3, activation: .relu, seed: 13)),
                .feedForward(try Dense(units: 1, inputSize: 4, seed: 14)),
            ], name: "stacked")
        let ids: [Float] = [3, 7, 1, 19, 2, 0, 0, 5, 5, 5, 5, 5, 5, 5]
        return (
            model, [Tensor(shape: [2, 7], scalars: ids)],
            ["tokens", "embedding", "bidirectional", "rnn", "dense", "dense_1"]
        )
    }

    /// Frames through a ConvLSTM2D, then two outputs: a per-frame GRU sequence through TimeDistributed
    /// Dense, and the last GRU state through Dense.
    static func twoOutputs() throws -> (Model, [Tensor], names: [String]) {
        let model = Model(
            name: "two_outputs",
            layers: [
                .input(name: "frames", shape: [4, 5, 5, 2], batchSize: nil),
                .recurrent(
                    RNN(
                        cell: try ConvLSTMCell(
                            filters: 3, kernelSize: [3, 3], inputSpatial: [5, 5], channels: 2, padding: .same,
                            biasInitializer: .randomNormal(), seed: 15),
                        returnSequences: true)),
                .feedForward(TimeDistributed(Flatten())),
                .recurrent(
                    RNN(cell: try GRUCell(units: 4, inputSize: 75, seed: 16), returnSequences: true, returnState: true)),
                .feedForward(TimeDistributed(try Dense(units: 2, inputSize: 4, seed: 17))),
                .feedForward(try Dense(units: 1, inputSize: 4, activation: .sigmoid, seed: 18)),
            ],
            nodes: [
                .init(layer: 0), .init(layer: 1, inputs: [.init(node: 0)]), .init(layer: 2, inputs: [.init(node: 1)]),
                .init(layer: 3, inputs: [.init(node: 2)]), .init(layer: 4, inputs: [.init(node: 3)]),
                .init(layer: 5, inputs: [.init(node: 3, output: 1)]),
            ], inputs: [.init(node: 0)], outputs: [.init(node: 4), .init(node: 5)])
        return (
            model, [Tensor(shape: [2, 4, 5, 5, 2], scalars: values(400, seed: 19))],
            ["frames", "conv_lstm2d", "time_distributed", "gru", "time_distributed_1", "dense"]
        )
    }

    /// The layers around recurrent ones (issues 6 and 16), built in Swift: frames through a Sequential CNN
    /// nested in TimeDistributed (Conv2D, BatchNormalization, MaxPooling2D, Flatten), Conv1D over the
    /// frames, an LSTM sequence attending to itself, average pooling, LayerNormalization and a Dense
    /// softmax. Every weight set to seeded values (variances positive).
    static func framesAttention() throws -> (Model, [Tensor], names: [String]) {
        var cnn = Model.sequential(
            [
                .input(name: "frame", shape: [6, 6, 2], batchSize: nil),
                .feedForward(
                    try Convolution(
                        filters: 4, kernelSize: [3, 3], channels: 2, padding: .same, activation: .relu, name: "conv2d")),
                .feedForward(BatchNormalization(size: 4)),
                .feedForward(try Pooling(.max, poolSize: [2, 2], name: "max_pooling2d")),
                .feedForward(Flatten()),
            ], name: "frame_cnn")
        for index in cnn.layers.indices { try cnn.layers[index].setWeights(seeded(cnn.layers[index], seed: 20)) }
        var layers: [ModelLayer] = [
            .input(name: "frames", shape: [3, 6, 6, 2], batchSize: nil),
            .feedForward(TimeDistributed(try NestedModel(cnn, outputShape: [nil, 36]))),
            .feedForward(try Conv1D(filters: 5, kernelSize: 2, channels: 36, padding: .same)),
            .recurrent(RNN(cell: try LSTMCell(units: 6, inputSize: 5, seed: 21), returnSequences: true)),
            .feedForward(try Attention(useScale: true, dim: 6)),
            .feedForward(GlobalPooling1D(.average, name: "global_average_pooling1d")),
            .feedForward(try LayerNormalization(inputShape: [nil, 6])),
            .feedForward(try Dense(units: 2, inputSize: 6, activation: .softmax, seed: 22)),
        ]
        for index in layers.indices { try layers[index].setWeights(seeded(layers[index], seed: 23 + UInt64(index))) }
        let model = Model(
            name: "frames_attention", layers: layers,
            nodes: [
                .init(layer: 0), .init(layer: 1, inputs: [.init(node: 0)]), .init(layer: 2, inputs: [.init(node: 1)]),
                .init(layer: 3, inputs: [.init(node: 2)]),
                .init(layer: 4, inputs: [.init(node: 3), .init(node: 3)]), .init(layer: 5, inputs: [.init(node: 4)]),
                .init(layer: 6, inputs: [.init(node: 5)]), .init(layer: 7, inputs: [.init(node: 6)]),
            ], inputs: [.init(node: 0)], outputs: [.init(node: 7)])
        return (
            model, [Tensor(shape: [2, 3, 6, 6, 2], scalars: values(432, seed: 31))],
            [
                "frames", "time_distributed", "conv1d", "lstm", "attention", "global_average_pooling1d",
                "layer_normalization", "dense",
            ]
        )
    }

    /// Seeded values for every weight of `layer` (variances kept positive).
    static func seeded(_ layer: ModelLayer, seed: UInt64) -> [Tensor] {
        layer.weightSlots.enumerated().map { index, slot in
            let count = slot.shape.reduce(1, *)
            let raw = values(count, seed: seed &* 31 &+ UInt64(index))
            return Tensor(shape: slot.shape, scalars: slot.name.hasSuffix("variance") ? raw.map { abs($0) + 0.5 } : raw)
        }
    }

    static let modelNames = ["classifier", "encoder_decoder", "stacked", "two_outputs", "frames_attention"]

    static func model(_ name: String) throws -> (Model, [Tensor], names: [String]) {
        switch name {
        case "classifier": try classifier()
        case "encoder_decoder": try encoderDecoder()
        case "stacked": try stacked()
        case "frames_attention": try framesAttention()
        default: try twoOutputs()
        }
    }

    static func json(_ tensor: Tensor) -> JSONValue {
        .object(
            JSONObject([
                ("shape", .array(tensor.shape.map { .int(Int64($0)) })),
                ("values", .array(tensor.scalars.map { .double(Double($0)) })),
            ]))
    }

    @Test(
        "each model is written in every layout and reads back with its own outputs",
        arguments: modelNames)
    func everyLayout(_ name: String) throws {
        let (built, inputs, names) = try Self.model(name)
        var reference = built
        let expected = try reference.call(inputs)
        let model = try KerasModel(built)
        #expect(model.model.layers.map(\.name) == names)
        // Model.sequential's chains are written as Keras's Sequential, the other graphs as Functional.
        let sequential = name == "classifier" || name == "stacked"
        #expect(model.config["class_name"]?.stringValue == (sequential ? "Sequential" : "Functional"))
        let directory = try Self.directory()
        let configPath = directory.appendingPathComponent("\(name).json").path
        try Data(model.config.jsonText.utf8).write(to: URL(fileURLWithPath: configPath))
        var files: [(String, KerasWriteFormat, KerasDialect?)] = KerasWriteFormat.allCases.map {
            ("\(name).\($0.rawValue)", $0, nil)
        }
        files.append(("\(name).keras2.h5", .legacyModel, .keras2))
        for (file, format, dialect) in files {
            let path = directory.appendingPathComponent(file).path
            try model.write(to: path, format: format, dialect: dialect, overwrite: true)
            let weightsOnly = format == .kerasWeights || format == .legacyWeights
            var loaded = try KerasModel.load(path: path, configPath: weightsOnly ? configPath : nil)
            for (ours, theirs) in zip(try loaded.model.call(inputs), expected) {
                expectClose(ours, theirs, file)
            }
        }
        let record = JSONValue.object(
            JSONObject([
                ("inputs", .array(inputs.map(Self.json))), ("outputs", .array(expected.map(Self.json))),
                ("layers", .array(names.map { .string($0) })),
            ]))
        try Data(record.jsonText.utf8).write(to: directory.appendingPathComponent("\(name).case.json"))
    }

    @Test("two layers given one name are refused, naming it; a layer's own name is kept")
    func names() throws {
        let model = Model.sequential([
            .input(name: "x", shape: [3, 2], batchSize: nil),
            .recurrent(RNN(cell: try LSTMCell(units: 2, inputSize: 2), returnSequences: true, name: "same")),
            .recurrent(RNN(cell: try LSTMCell(units: 2, inputSize: 2), name: "same")),
        ])
        let error = #expect(throws: KerasFormatError.self) { try KerasModel(model) }
        #expect(error?.code == .invalidModel)
        #expect(error?.description.contains("two layers are named 'same'") == true, "\(String(describing: error))")
        var renamed = model
        renamed.layers[2] = .recurrent(RNN(cell: try LSTMCell(units: 2, inputSize: 2), name: "rnn"))
        #expect(try KerasModel(renamed).model.layers.map(\.name) == ["x", "same", "lstm"])
    }

    @Test("a model Keras 3 cannot express exactly is refused unless the change is accepted")
    func changes() throws {
        let model = Model.sequential([
            .input(name: "x", shape: [3, 2], batchSize: nil),
            .recurrent(RNN(cell: try GRUCell(units: 2, inputSize: 2, recurrentActivation: .hardSigmoidKeras2))),
        ])
        let error = #expect(throws: KerasFormatError.self) { try KerasModel(model) }
        #expect(error?.description.contains("hard_sigmoid") == true, "\(String(describing: error))")
        #expect(try KerasModel(model, acceptingChanges: true).model.layers.map(\.name) == ["x", "gru"])
    }

    @Test("Keras's snake case for class names")
    func snakeCase() throws {
        // The names a model built in Swift gets, through the layers' classes.
        let model = Model.sequential([
            .input(name: "input_layer", shape: [4, 3], batchSize: nil),
            .recurrent(RNN(cell: try SimpleRNNCell(units: 2, inputSize: 3), returnSequences: true)),
            .feedForward(try LayerNormalization(inputShape: [nil, 4, 2])),
            .feedForward(try LayerNormalization(inputShape: [nil, 4, 2])),
            .feedForward(GlobalPooling1D(.average, name: "global_average_pooling1d")),
        ])
        #expect(
            try KerasModel(model).model.layers.map(\.name) == [
                "input_layer", "simple_rnn", "layer_normalization", "layer_normalization_1",
                "global_average_pooling1d",
            ])
    }

    @Test("a layer's Keras config has the keys Keras's has, and builds the same layer back")
    func layerConfig() throws {
        // Layers of a Keras-written model: Keras's own config entries beside RNNKit's.
        let path = LayoutTests.fixture("models/encoder_decoder.keras")
        let loaded = try KerasModel.load(path: path)
        let entries = try #require(loaded.config["config"]?["layers"]?.arrayValue)
        for (layer, entry) in zip(loaded.model.layers, entries) {
            if case .input = layer { continue }
            let ours = try layer.kerasConfig()
            for key in ["module", "class_name", "registered_name"] {
                #expect(ours[key] == entry[key], "\(layer.name): \(key)")
            }
            // Every key of Keras's config, for the recurrent layers and Dense.
            let keys = Set(ours["config"]?.objectValue?.map(\.key) ?? [])
            let kerasKeys = Set(entry["config"]?.objectValue?.map(\.key) ?? [])
            #expect(keys == kerasKeys, "\(layer.name): \(keys.symmetricDifference(kerasKeys).sorted())")
            // Built back from Keras's entry and from ours, for the same input shape: the same weight slots.
            let inputShape: [Int?] = layer.name == "dense" ? [4, 4] : (layer.name == "encoder" ? [5, 3] : [4, 2])
            let fromKeras = try ModelLayer(kerasConfig: entry, inputShape: inputShape)
            let fromOurs = try ModelLayer(kerasConfig: ours, inputShape: inputShape)
            #expect(
                fromKeras.weightSlots == layer.weightSlots && fromOurs.weightSlots == layer.weightSlots, "\(layer.name)"
            )
        }
    }

    @Test("one trained layer saved alone loads back as Input + the layer, with its outputs")
    func oneLayer() throws {
        var layer = ModelLayer.recurrent(
            RNN(
                cell: try LSTMCell(units: 4, inputSize: 3, biasInitializer: .randomNormal(), seed: 21),
                returnSequences: true, name: "trained"))
        let x = Tensor(shape: [2, 5, 3], scalars: Self.values(30, seed: 22))
        var alone = Model.sequential([.input(name: "input_layer", shape: [5, 3], batchSize: nil), layer])
        let expected = try alone.call([x])
        let model = try KerasModel(layer: layer, inputShape: [5, 3])
        #expect(model.model.layers.map(\.name) == ["input_layer", "trained"])
        let path = try Self.directory().appendingPathComponent("one_layer.keras").path
        try model.write(to: path, format: .kerasArchive, overwrite: true)
        var loaded = try KerasModel.load(path: path)
        expectClose(try loaded.model.call([x])[0], expected[0], "one_layer.keras")
        let record = JSONValue.object(
            JSONObject([
                ("inputs", .array([Self.json(x)])), ("outputs", .array(expected.map(Self.json))),
                ("layers", .array([.string("input_layer"), .string("trained")])),
                ("config", try layer.kerasConfig()),
            ]))
        try Data(record.jsonText.utf8).write(to: try Self.directory().appendingPathComponent("one_layer.case.json"))
        layer = try ModelLayer(kerasConfig: try layer.kerasConfig(), inputShape: [5, 3])
        #expect(layer.name == "trained" && layer.weightSlots == model.model.layers[1].weightSlots)
    }
}
