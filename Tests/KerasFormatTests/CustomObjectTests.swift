import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// The seed's MinimalRNNCell, written in Swift: `output = x · kernel + h · recurrent_kernel`.
struct MinimalRNNCell: RecurrentCell {
    var kernel: Tensor
    var recurrentKernel: Tensor

    init(units: Int, inputSize: Int) {
        kernel = .zeros([inputSize, units])
        recurrentKernel = .zeros([units, units])
    }

    var stateShapes: [[Int]] { [[kernel.shape[1]]] }

    var weightSlots: [WeightSlot] {
        [
            WeightSlot(name: "kernel", shape: kernel.shape),
            WeightSlot(name: "recurrent_kernel", shape: recurrentKernel.shape),
        ]
    }

    var weights: [Tensor] { [kernel, recurrentKernel] }

    mutating func setWeights(_ weights: [Tensor]) throws {
        guard weights.count == 2, weights[0].shape == kernel.shape, weights[1].shape == recurrentKernel.shape else {
            throw RecurrentError(
                .shapeMismatch, layer: "minimal_rnn_cell",
                "expected kernel \(kernel.shape) and recurrent_kernel \(recurrentKernel.shape)")
        }
        kernel = weights[0]
        recurrentKernel = weights[1]
    }

    func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        let output = input.matmul(kernel) + states[0].matmul(recurrentKernel)
        return CellOutput(output: output, states: [output])
    }
}

/// Custom objects: a file Keras wrote with the seed's custom cell loads, runs and saves once the Swift
/// cell is registered under its Keras class name.
@Suite("Custom objects")
struct CustomObjectTests {
    struct Expected: Decodable {
        var input: Array32
        var output: Array32
    }

    static let expected: [String: Expected] = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("custom/outputs.json"))
        return try! JSONDecoder().decode([String: Expected].self, from: data)
    }()

    static var registry: CustomObjects {
        var custom = CustomObjects()
        custom.registerCell("MinimalRNNCell") { config, inputSize in
            MinimalRNNCell(units: config["units"]?.intValue ?? 0, inputSize: inputSize)
        }
        return custom
    }

    @Test(
        "a file with the custom cell loads in every layout and predicts Keras's outputs",
        arguments: ["minimal", "minimal_stacked"], ["keras", "h5", "weights.h5"])
    func load(_ name: String, _ layout: String) throws {
        let expected = try #require(Self.expected[name])
        let config = layout == "weights.h5" ? LayoutTests.fixture("custom/\(name).json") : nil
        var loaded = try KerasModel.load(
            path: LayoutTests.fixture("custom/\(name).\(layout)"), configPath: config, customObjects: Self.registry)
        let output = try loaded.model.call([expected.input.tensor])[0]
        LoadingTests.expectClose(output, expected.output.tensor, "\(name).\(layout)")

        // ... and saves: written back, it reads the same (and Keras loads it: tools/tests/test_keras_interop.py).
        let path = try WritingTests.outputDirectory().appendingPathComponent("custom_\(name).\(layout)").path
        try loaded.write(
            to: path, format: layout == "keras" ? .kerasArchive : layout == "h5" ? .legacyModel : .kerasWeights,
            overwrite: true)
        var again = try KerasModel.load(path: path, configPath: config, customObjects: Self.registry)
        LoadingTests.expectClose(
            try again.model.call([expected.input.tensor])[0], expected.output.tensor, "\(name).\(layout) rewritten")
    }

    static let expectedTFKeras: [String: Expected] = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("custom/outputs_tf_keras.json"))
        return try! JSONDecoder().decode([String: Expected].self, from: data)
    }()

    @Test(
        "a tf.keras file with the custom cell loads, and converts to Keras 3 with the cell's config carried",
        arguments: ["minimal", "minimal_stacked"])
    func convertTFKeras(_ name: String) throws {
        let expected = try #require(Self.expectedTFKeras[name])
        var registry = Self.registry
        // tf.keras names a registered class by its registered name, as Keras's custom_objects must.
        registry.registerCell("rnnkit>MinimalRNNCell") { config, inputSize in
            MinimalRNNCell(units: config["units"]?.intValue ?? 0, inputSize: inputSize)
        }
        var source = try KerasModel.load(
            path: LayoutTests.fixture("custom/tf_keras_\(name).h5"), customObjects: registry)
        LoadingTests.expectClose(
            try source.model.call([expected.input.tensor])[0], expected.output.tensor, "tf_keras_\(name).h5")
        var weightsOnly = try KerasModel.load(
            path: LayoutTests.fixture("custom/tf_keras_\(name)_weights.h5"),
            configPath: LayoutTests.fixture("custom/tf_keras_\(name).json"), customObjects: registry)
        LoadingTests.expectClose(
            try weightsOnly.model.call([expected.input.tensor])[0], expected.output.tensor,
            "tf_keras_\(name)_weights.h5")

        // Converted (for tools/tests/test_keras_interop.py, where Keras 3 loads it with the Python cell).
        let path = try WritingTests.outputDirectory().appendingPathComponent("custom_from_tf_keras_\(name).keras").path
        try source.write(to: path, format: .kerasArchive, overwrite: true)
        let archive = try KerasArchive(path: path)
        let config = try JSONValue.parse(try archive.require("config.json"))
        #expect(config.jsonText.contains("\"registered_name\": \"rnnkit>MinimalRNNCell\""))
        var converted = try KerasModel.load(path: path, customObjects: Self.registry)
        #expect(converted.dialect == .keras3)
        LoadingTests.expectClose(
            try converted.model.call([expected.input.tensor])[0], expected.output.tensor, "\(name) converted")
    }

    @Test("without the registration, the class is named and the load refused")
    func unregistered() throws {
        let error = #expect(throws: KerasFormatError.self) {
            try KerasModel.load(path: LayoutTests.fixture("custom/minimal.keras"))
        }
        #expect(error?.code == .unsupportedLayer && error?.description.contains("MinimalRNNCell") == true)
    }
}

extension MinimalRNNCell: KerasSerializableCell {
    var kerasRegisteredName: String { "rnnkit>MinimalRNNCell" }
    var kerasConfig: JSONObject {
        JSONObject([
            ("name", .string("minimal_rnn_cell")), ("trainable", .bool(true)), ("units", .int(Int64(kernel.shape[1]))),
        ])
    }
}

extension CustomObjectTests {
    @Test("a model built in Swift with the custom cell saves with the cell's config and loads back")
    func builtInSwift() throws {
        var cell = MinimalRNNCell(units: 4, inputSize: 3)
        try cell.setWeights([
            Tensor(shape: [3, 4], scalars: BuildingTests.values(12, seed: 31).map { $0 / 2 }),
            Tensor(shape: [4, 4], scalars: BuildingTests.values(16, seed: 32).map { $0 / 4 }),
        ])
        var model = Model.sequential([
            .input(name: "input_layer", shape: [5, 3], batchSize: nil),
            .recurrent(RNN(cell: cell, returnSequences: true)),
        ])
        let x = Tensor(shape: [2, 5, 3], scalars: BuildingTests.values(30, seed: 33))
        let expected = try model.call([x])
        // The model's own cell builds again as itself: no registration needed to write it.
        let keras = try KerasModel(model)
        #expect(keras.config.jsonText.contains("\"registered_name\": \"rnnkit>MinimalRNNCell\""))
        let path = try BuildingTests.directory().appendingPathComponent("minimal_swift.keras").path
        try keras.write(to: path, format: .kerasArchive, overwrite: true)
        var loaded = try KerasModel.load(path: path, customObjects: Self.registry)
        expectClose(try loaded.model.call([x])[0], expected[0], "minimal_swift.keras")
        let record = JSONValue.object(
            JSONObject([
                ("inputs", .array([BuildingTests.json(x)])), ("outputs", .array(expected.map(BuildingTests.json))),
                ("layers", .array([.string("input_layer"), .string("rnn")])),
            ]))
        try Data(record.jsonText.utf8).write(
            to: try BuildingTests.directory().appendingPathComponent("minimal_swift.case.json"))
    }

    @Test("a custom cell without a Keras config is refused with what to do")
    func notSerializable() throws {
        struct Plain: RecurrentCell {
            var stateShapes: [[Int]] { [[2]] }
            func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
                CellOutput(output: states[0], states: states)
            }
        }
        let model = Model.sequential([
            .input(name: "x", shape: [3, 2], batchSize: nil), .recurrent(RNN(cell: Plain())),
        ])
        let error = #expect(throws: KerasFormatError.self) { try KerasModel(model) }
        #expect(
            error?.description.contains("conform it to KerasSerializableCell") == true, "\(String(describing: error))")
    }
}

extension CustomObjectTests {
    /// The Swift model of the fixture `name`, built in code with zero weights.
    static func swiftModel(_ name: String) throws -> Model {
        if name == "minimal" {
            return Model.sequential([
                .input(name: "signal", shape: [5, 3], batchSize: nil),
                .recurrent(RNN(cell: MinimalRNNCell(units: 4, inputSize: 3), returnSequences: true)),
                .feedForward(try Dense(units: 2, inputSize: 4)),
            ])
        }
        let cells: [any RecurrentCell] = [
            MinimalRNNCell(units: 4, inputSize: 3), MinimalRNNCell(units: 3, inputSize: 4),
        ]
        return Model.sequential([
            .input(name: "signal", shape: [5, 3], batchSize: nil),
            .recurrent(RNN(cell: StackedRNNCells(cells))),
        ])
    }

    @Test(
        "Keras's weights load into a Swift model holding the custom cell, with no registration",
        arguments: ["minimal", "minimal_stacked"], ["keras", "h5", "weights.h5"])
    func loadWeightsIntoSwiftModel(_ name: String, _ layout: String) throws {
        let expected = try #require(Self.expected[name])
        var model = try Self.swiftModel(name)
        try model.loadWeights(path: LayoutTests.fixture("custom/\(name).\(layout)"))
        LoadingTests.expectClose(
            try model.call([expected.input.tensor])[0], expected.output.tensor, "\(name).\(layout) into Swift")
    }
}

extension CustomObjectTests {
    @Test("one layer's config naming the custom cell builds with the registry, and is refused without it")
    func layerConfig() throws {
        let config = try JSONValue.parse(
            String(
                decoding: try Data(contentsOf: URL(fileURLWithPath: LayoutTests.fixture("custom/minimal.json"))),
                as: UTF8.self))
        let entry = try #require(config["config"]?["layers"]?.arrayValue?[1])
        let layer = try ModelLayer(kerasConfig: entry, inputShape: [5, 3], customObjects: Self.registry)
        guard case .recurrent(let rnn) = layer else { Issue.record("not a recurrent layer"); return }
        #expect(rnn.cell is MinimalRNNCell && layer.weightSlots.map { $0.shape } == [[3, 4], [4, 4]])
        #expect(throws: KerasFormatError.self) { try ModelLayer(kerasConfig: entry, inputShape: [5, 3]) }
    }
}
