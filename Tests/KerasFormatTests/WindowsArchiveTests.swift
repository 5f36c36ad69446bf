import Foundation
import HDF5
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// A tf.keras `.keras` archive written on Windows (issue 16; tools/make_windows_archive_fixture.py runs
/// tf_keras's own saving with Windows's path join): its weight groups are named `layers\conv_lstm2d\cell`
/// at the root, which neither Keras loads. RNNKit reads the same structure, `validate` says so in a
/// warning, and what RNNKit writes has the standard groups.
@Suite("tf.keras archives written on Windows")
struct WindowsArchiveTests {
    static let fixture: TFKerasModelFileTests.Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("windows/outputs.json"))
        return try! JSONDecoder().decode(TFKerasModelFileTests.Fixture.self, from: data)
    }()
    static let path = LayoutTests.fixture("windows/convlstm_windows.keras")

    static func check(_ path: String) throws {
        let item = try #require(fixture.models.first)
        var model = try KerasModel.load(path: path)
        let outputs = try model.model.call(item.inputs.map(\.tensor))
        for (ours, theirs) in zip(outputs, item.outputs) {
            LoadingTests.expectClose(ours, theirs.tensor, (path as NSString).lastPathComponent)
        }
    }

    @Test("the archive runs with tf_keras's outputs, and validate warns of the separators")
    func read() throws {
        try Self.check(Self.path)
        let findings = Validation.validate(path: Self.path)
        #expect(findings.count == 1, "\(findings)")
        #expect(findings.first?.severity == .warning)
        #expect(findings.first?.message.contains("Windows separators") == true)
    }

    @Test("converted, the archive has the standard weight groups and reads back with tf_keras's outputs")
    func write() throws {
        let directory = try NestedModelTests.directory("windows")
        let written = directory.appendingPathComponent("convlstm_windows.keras").path
        try KerasModel.load(path: Self.path).write(to: written, format: .kerasArchive, overwrite: true)
        try Self.check(written)
        #expect(Validation.validate(path: written).isEmpty)
        let weights = directory.appendingPathComponent("convlstm_windows.weights.h5").path
        try KerasModel.load(path: Self.path).write(to: weights, format: .kerasWeights, overwrite: true)
        let file = try HDF5File(opening: weights)
        defer { file.close() }
        #expect(try file.root.kind(of: "layers/conv_lstm2d/cell/vars") == .group)
        #expect(try !file.root.children().contains { $0.name.contains("\\") })
    }
}
