import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Models tools/fuzz_models.py found failing, kept once fixed (tools/make_fuzz_regressions.py): every layout
/// their writer saved returns its outputs, and their conversions to both dialects read back the same. The
/// conversions land in RNNKIT_INTEROP_DIR/fuzz_models, where Keras 3 and tf_keras load them.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    struct Case: Decodable {
        struct Call: Decodable {
            var inputs: [Array32]
            var outputs: [Array32]
        }
        var name: String
        /// Whether the tf.keras form computes Keras 3's numbers on these inputs (else it is checked that
        /// `convert --dialect keras2` names a change).
        var keras2_exact: Bool
        /// The same for the Keras 3 form of a tf.keras model (absent: true).
        var keras3_exact: Bool?
        var calls: [Call]
    }

    struct Fixture: Decodable { var models: [Case] }

    /// (writer, case), for the writers that have regression cases.
    static let cases: [(writer: String, item: Case)] = ["keras3", "tf_keras"].flatMap { writer in
        let url = LayoutTests.fixtures.appendingPathComponent("fuzz_models/cases_\(writer).json")
        guard let data = try? Data(contentsOf: url) else { return [(writer: String, item: Case)]() }
        return try! JSONDecoder().decode(Fixture.self, from: data).models.map { (writer, $0) }
    }

    static let sources = [
        "keras3": [("source.keras", false), ("source.h5", false), ("source.weights.h5", true)],
        "tf_keras": [("source.h5", false), ("source.keras", false), ("source_weights.h5", true)],
    ]

    static func expectCalls(_ model: KerasModel, _ item: Case, _ label: String) throws {
        var model = model
        try model.model.resetStates()
        for (index, call) in item.calls.enumerated() {
            let outputs = try model.model.call(call.inputs.map(\.tensor))
            #expect(outputs.count == call.outputs.count, "\(label)")
            for (ours, keras) in zip(outputs, call.outputs) {
                expectClose(ours, keras.tensor, atol: 1e-5, rtol: 1e-4, "\(label) call \(index)")
            }
        }
    }

    @Test("each regression model, from each layout, returns its writer's outputs", arguments: cases.map(\.item.name))
    func layouts(_ name: String) throws {
        let (writer, item) = try #require(Self.cases.first { $0.item.name == name })
        let folder = LayoutTests.fixture("fuzz_models/\(name)")
        for (file, weightsOnly) in Self.sources[writer] ?? [] {
            let model = try KerasModel.load(
                path: folder + "/" + file, configPath: weightsOnly ? folder + "/source.json" : nil)
            try Self.expectCalls(model, item, "\(name)/\(file)")
        }
    }

    @Test(
        "each regression model converts to both dialects (tf.keras where it computes the same) and reads back the same",
        arguments: cases.map(\.item.name))
    func conversions(_ name: String) throws {
        let (_, item) = try #require(Self.cases.first { $0.item.name == name })
        let source = try KerasModel.load(path: LayoutTests.fixture("fuzz_models/\(name)/source.h5"))
        let directory = try WritingTests.outputDirectory().deletingLastPathComponent().appendingPathComponent(
            "fuzz_models")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var targets: [(String, KerasWriteFormat, KerasDialect?)] = []
        if item.keras3_exact ?? true {
            targets += [("keras", .kerasArchive, nil), ("keras3.h5", .legacyModel, .keras3)]
        } else {
            #expect(
                !(try source.conversion(to: .keras3, file: name).changes.isEmpty),
                "\(name): the Keras 3 form should be named a change")
        }
        // Where the tf.keras form can differ (a change convert names), a case whose numbers it still
        // reproduces is written with consent: Keras 3's numbers are the check.
        let changes = try source.conversion(to: .keras2, file: name).changes
        if item.keras2_exact {
            targets.append(("keras2.h5", .legacyModel, .keras2))
        } else {
            #expect(!changes.isEmpty, "\(name): the tf.keras form should be named a change")
        }
        for (suffix, format, dialect) in targets {
            let path = directory.appendingPathComponent("\(name).\(suffix)").path
            try source.write(to: path, format: format, dialect: dialect, overwrite: true, acceptingChanges: true)
            try Self.expectCalls(try KerasModel.load(path: path), item, "\(name).\(suffix)")
        }
    }
}
