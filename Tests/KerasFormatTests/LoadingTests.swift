import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Models read from Keras files predict what Keras predicted.
@Suite("Loading models")
struct LoadingTests {
    static func example(_ name: String) -> String { LayoutTests.examples.appendingPathComponent(name).path }

    static func expectClose(
        _ ours: Tensor, _ keras: Tensor, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        TestSupport.expectClose(ours, keras, label, sourceLocation: sourceLocation)
    }

    @Test(
        "the example predicts Keras's outputs from every layout",
        arguments: [("waveforms.keras", nil), ("waveforms.h5", nil), ("waveforms.weights.h5", "waveforms.json")]
            as [(String, String?)])
    func example(_ file: String, _ config: String?) throws {
        var loaded = try KerasModel.load(path: Self.example(file), configPath: config.map(Self.example))
        let input = try NumPyArray.read(path: Self.example("waveforms_input.npy"))
        let expected = try NumPyArray.read(path: Self.example("waveforms_output.npy"))
        #expect(input.shape == [8, 40, 1] && !input.isInteger)
        let output = try loaded.model.call([input.tensor])
        Self.expectClose(output[0], expected.tensor, file)
        #expect(loaded.model.layers.map(\.name) == ["signal", "lstm", "waveform"])
    }

    @Test("a weights-only file without its config says what to pass")
    func missingConfig() throws {
        let error = #expect(throws: KerasFormatError.self) {
            try KerasModel.load(path: Self.example("waveforms.weights.h5"))
        }
        #expect(error?.code == .configRequired && error?.description.contains("--config") == true)
    }

    @Test("errors carry the layer, slot, archive member and cause as fields, for code that reacts to them")
    func errorFields() throws {
        func refusal(_ fixture: String, config: String? = nil) -> KerasFormatError? {
            #expect(throws: KerasFormatError.self) {
                try KerasModel.load(path: LayoutTests.fixture(fixture), configPath: config.map(LayoutTests.fixture))
            }
        }
        // A weight of the wrong shape: the layer, its slot, and the layer module's error beneath.
        let shape = try #require(refusal("damaged/wrong_shape.h5"))
        #expect(shape.code == .weightMismatch && shape.layer != nil && shape.slot != nil, "\(shape)")
        #expect((shape.underlying as? RecurrentError)?.slot == shape.slot)
        #expect(shape.description.hasPrefix("\(shape.file): layer '\(shape.layer ?? "")': "), "\(shape)")
        // A class RNNKit does not implement: the layer.
        let unsupported = try #require(refusal("surrounding/unsupported.keras"))
        #expect(unsupported.code == .unsupportedLayer && ["double", "unit_norm"].contains(unsupported.layer))
        // Damage inside a .keras archive: the member, and for HDF5 damage libhdf5's error beneath.
        let truncated = try #require(refusal("damaged/truncated_weights.keras"))
        #expect(truncated.code == .unreadable && truncated.member == "model.weights.h5", "\(truncated)")
        let config = try #require(refusal("damaged/broken_config.keras"))
        #expect(config.member == "config.json" && config.underlying is JSONError, "\(config)")
        let noWeights = try #require(refusal("damaged/no_weights.keras"))
        #expect(noWeights.member == "model.weights.h5", "\(noWeights)")
        // What validate reports carries the same layer and slot.
        let findings = Validation.validate(path: LayoutTests.fixture("damaged/wrong_shape.h5"))
        #expect(findings.contains { $0.severity == .error && $0.layer == shape.layer && $0.slot != nil }, "\(findings)")
    }

    @Test("NumPy arrays: float and integer dtypes, both byte orders, and our own .npy writing read back")
    func numpy() throws {
        let labels = try NumPyArray.read(path: Self.example("waveforms_labels.npy"))
        #expect(labels.isInteger && labels.shape == [8])
        let array = NumPyArray(tensor: Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0, 1e-8, 7]))
        let back = try NumPyArray.parse(array.npyBytes(), name: "memory")
        #expect(back.tensor == array.tensor && back.dtype == "<f4")
        #expect(throws: KerasFormatError.self) { try NumPyArray.parse(Array("not numpy".utf8), name: "text") }
        var pickled = array.npyBytes()
        let header = String(decoding: pickled[10..<pickled.count], as: UTF8.self)
        if let range = header.range(of: "<f4") {
            let offset = 10 + header.utf8.distance(from: header.startIndex, to: range.lowerBound)
            pickled.replaceSubrange(offset..<(offset + 3), with: Array("|O8".utf8))
        }
        let refused = #expect(throws: KerasFormatError.self) { try NumPyArray.parse(pickled, name: "pickle") }
        #expect(refused?.description.contains("pickle") == true)
    }
}

/// A Keras 3 sharded weights set (tools/make_sharded_fixture.py), one variable group split across shards.
@Suite("Sharded weights")
struct ShardedWeightsTests {
    @Test("the sharded example predicts Keras's outputs")
    func sharded() throws {
        let path = LayoutTests.fixture("sharded/waveforms.weights.json")
        #expect(try KerasLayout.detect(path: path) == .shardedWeights)
        var loaded = try KerasModel.load(path: path, configPath: LoadingTests.example("waveforms.json"))
        let input = try NumPyArray.read(path: LoadingTests.example("waveforms_input.npy"))
        let expected = try NumPyArray.read(path: LoadingTests.example("waveforms_output.npy"))
        LoadingTests.expectClose(try loaded.model.call([input.tensor])[0], expected.tensor, "sharded")
        #expect(try StorageOutline.read(path: path).valueCount == 1203)
    }

    @Test("a missing shard is named")
    func missingShard() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rnnkit-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["waveforms.weights.json", "waveforms_00000.weights.h5"] {
            try FileManager.default.copyItem(
                atPath: LayoutTests.fixture("sharded/\(name)"), toPath: directory.appendingPathComponent(name).path)
        }
        let error = #expect(throws: KerasFormatError.self) {
            try KerasModel.load(
                path: directory.appendingPathComponent("waveforms.weights.json").path,
                configPath: LoadingTests.example("waveforms.json"))
        }
        #expect(error?.code == .fileNotFound && error?.description.contains("waveforms_00001.weights.h5") == true)
    }
}
