import Foundation
import HDF5
import Testing

/// Real Keras 3 and tf_keras files (tools/make_keras3_fixtures.py, make_tf_keras_fixtures.py): RNNKit must
/// see exactly what h5py sees, object by object and attribute by attribute.
@Suite("Reading real Keras 3 and tf.keras files")
struct KerasFilesTests {
    @Test("every object, dataset value and attribute matches h5py's manifest", arguments: Fixtures.kerasFiles)
    func matchesManifest(_ relative: String) throws {
        let file = try HDF5File(opening: Fixtures.path(relative))
        try Self.compare(file, with: Manifest.load(for: relative), label: relative)
    }

    @Test(
        "the weights file inside a .keras archive reads the same from memory",
        arguments: ["keras3/functional.keras.model.weights.h5", "tf_keras/functional.keras.model.weights.h5"])
    func inMemory(_ relative: String) throws {
        let bytes = [UInt8](try Fixtures.data(relative))
        let file = try HDF5File(image: bytes, name: relative + " (memory)")
        #expect(file.isInMemory && !file.isWritable)
        try Self.compare(file, with: Manifest.load(for: relative), label: relative)
    }

    @Test("two in-memory files open at once keep their own contents")
    func twoImages() throws {
        let a = try HDF5File(
            image: [UInt8](try Fixtures.data("keras3/functional.keras.model.weights.h5")), name: "model.weights.h5")
        let b = try HDF5File(
            image: [UInt8](try Fixtures.data("tf_keras/functional.keras.model.weights.h5")), name: "model.weights.h5")
        #expect(try a.root.visit() != b.root.visit())
        #expect(
            try a.root.visit().map(\.path)
                == HDF5File(
                    image: [UInt8](try Fixtures.data("keras3/functional.keras.model.weights.h5")),
                    name: "model.weights.h5"
                ).root.visit().map(\.path))
    }

    static func compare(_ file: HDF5File, with manifest: Manifest, label: String) throws {
        let walked = try file.root.visit()
        let kinds = Dictionary(uniqueKeysWithValues: walked.map { ($0.path, $0.kind) })
        #expect(walked.count == manifest.objects.count, "\(label): object count")
        for object in manifest.objects {
            let expected: HDF5ObjectKind = object.kind == "dataset" ? .dataset : .group
            #expect(kinds[object.path] == expected, "\(label): \(object.path)")
            guard object.kind == "dataset" else { continue }
            let dataset = try file.root.dataset(object.path)
            let info = try dataset.info()
            #expect(info.datatype.description == object.dtype, "\(label): \(object.path)")
            #expect(info.shape == object.shape, "\(label): \(object.path)")
            let values = try dataset.read(as: Double.self)
            #expect(values.values == object.values, "\(label): \(object.path)")
        }
        var attributeCount = 0
        for path in ["/"] + walked.filter({ $0.kind == .group || $0.kind == .dataset }).map(\.path) {
            let object: any HDF5Object =
                kinds[path] == .dataset ? try file.root.dataset(path) : try file.root.group(path)
            attributeCount += try object.attributeNames().count
        }
        #expect(attributeCount == manifest.attributes.count, "\(label): attribute count")
        for attribute in manifest.attributes {
            let object: any HDF5Object =
                kinds[attribute.object] == .dataset
                ? try file.root.dataset(attribute.object) : try file.root.group(attribute.object)
            let info = try object.attributeInfo(attribute.name)
            #expect(
                Manifest.TypeInfo(info.datatype) == attribute.type, "\(label): \(attribute.object)@\(attribute.name)")
            #expect(info.shape == attribute.shape, "\(label): \(attribute.object)@\(attribute.name)")
            #expect(
                try object.readAttribute(attribute.name).scalars == attribute.value,
                "\(label): \(attribute.object)@\(attribute.name)")
        }
    }
}
