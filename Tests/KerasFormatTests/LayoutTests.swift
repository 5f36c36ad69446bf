import Foundation
import HDF5
import KerasFormat
import RecurrentLayers
import Testing

/// Layout detection by content, and the storage outline of every layout.
@Suite("Keras layouts")
struct LayoutTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples")

    static func fixture(_ relative: String) -> String { fixtures.appendingPathComponent(relative).path }

    @Test(
        "each layout is detected from the content",
        arguments: [
            ("keras3/functional.h5", KerasLayout.legacyModel),
            ("keras3/sequential.h5", .legacyModel),
            ("tf_keras/functional.h5", .legacyModel),
            ("tf_keras/functional_weights.h5", .legacyWeights),
            ("keras3/functional.weights.h5", .kerasWeights),
            ("keras3/functional.keras.model.weights.h5", .kerasWeights),
            ("tf_keras/functional.keras.model.weights.h5", .kerasWeights),
            ("keras3/functional.keras", .kerasArchive),
            ("tf_keras/functional.keras", .kerasArchive),
        ])
    func detects(_ relative: String, _ layout: KerasLayout) throws {
        #expect(try KerasLayout.detect(path: Self.fixture(relative)) == layout)
    }

    @Test("a legacy file named .keras or .h5py is still detected as HDF5 and loads", arguments: ["keras", "h5py"])
    func misnamed(_ suffix: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "legacy-\(UUID().uuidString).\(suffix)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.copyItem(atPath: Self.fixture("keras3/sequential.h5"), toPath: path)
        #expect(try KerasLayout.detect(path: path) == .legacyModel)
        let loaded = try KerasModel.load(path: path)
        let original = try KerasModel.load(path: Self.fixture("keras3/sequential.h5"))
        #expect(loaded.model.layers.map(\.name) == original.model.layers.map(\.name))
        #expect(loaded.model.layers.map(\.weights) == original.model.layers.map(\.weights))
    }

    @Test("an archive and the weights file inside it outline the same datasets")
    func archiveOutline() throws {
        let archive = try StorageOutline.read(path: Self.fixture("keras3/functional.keras"))
        let inside = try StorageOutline.read(path: Self.fixture("keras3/functional.keras.model.weights.h5"))
        #expect(archive.datasets == inside.datasets)
        #expect(archive.archiveMembers == ["metadata.json", "config.json", "model.weights.h5"])
        #expect(archive.kerasVersion == "3.15.1")
    }

    @Test("the example's three layouts hold the same number of values")
    func example() throws {
        let counts = try ["waveforms.h5", "waveforms.keras", "waveforms.weights.h5"].map {
            try StorageOutline.read(path: Self.examples.appendingPathComponent($0).path).valueCount
        }
        #expect(Set(counts).count == 1 && counts[0] > 0)
        let legacy = try StorageOutline.read(path: Self.examples.appendingPathComponent("waveforms.h5").path)
        #expect(legacy.kerasVersion == "3.15.1" && legacy.backend == "jax")
    }

    @Test("files that are not Keras files say so")
    func notKeras() throws {
        let missing = #expect(throws: KerasFormatError.self) { try KerasLayout.detect(path: "/nonexistent.h5") }
        #expect(missing?.code == .fileNotFound)
        let json = #expect(throws: KerasFormatError.self) {
            try KerasLayout.detect(path: Self.examples.appendingPathComponent("waveforms.json").path)
        }
        #expect(json?.code == .unknownLayout)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("plain-\(UUID().uuidString).h5").path
        try HDF5File(creating: path).root.createDataset("data/values", values: [Float(1), 2], shape: [2])
        let plain = #expect(throws: KerasFormatError.self) { try KerasLayout.detect(path: path) }
        #expect(plain?.code == .unknownLayout)
    }
}
