import Foundation
import HDF5
import Testing

/// The README's HDF5 example, kept compiling and true.
@Suite("README example")
struct ReadmeExampleTests {
    @Test("the README's reading, writing and in-memory example works as written")
    func example() throws {
        let directory = try Fixtures.scratchDirectory()
        let modelPath = Fixtures.path("keras3/functional.h5")

        let file = try HDF5File(opening: modelPath)
        let weights = try file.root.group("model_weights")
        let layerNames = try weights.readChunkedStringList("layer_names") ?? []
        var shapes: [[Int]] = []
        for entry in try weights.visit() where entry.kind == .dataset {
            let array = try file.root.dataset(entry.path).read(as: Float.self)
            shapes.append(array.shape)
        }
        #expect(layerNames.contains("bidirectional") && shapes.contains([4, 12]))

        let out = try HDF5File(creating: directory.appendingPathComponent("out.h5").path)
        let lstm = try out.root.createGroup("model_weights/lstm")
        try lstm.setChunkedStringList("weight_names", ["lstm/lstm_cell/kernel"])
        try lstm.createDataset("lstm/lstm_cell/kernel", values: [Float](repeating: 0, count: 12), shape: [3, 4])
        try out.root.setAttribute("keras_version", string: "3.15.1", form: .variableUTF8)

        let image = try HDF5File.inMemory(name: "model.weights.h5")
        let bytes = try image.image()
        let reopened = try HDF5File(image: bytes, name: "model.keras/model.weights.h5")
        #expect(try reopened.root.children().isEmpty)
        #expect(try lstm.readStringList("weight_names") == ["lstm/lstm_cell/kernel"])
    }
}
