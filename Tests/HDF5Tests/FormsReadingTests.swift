import Foundation
import HDF5
import Testing

/// h5py wrote every form of tools/hdf5_forms.py's spec; RNNKit must read each back exactly.
@Suite("Reading every form h5py writes")
struct FormsReadingTests {
    let spec: FormsSpec
    let file: HDF5File

    init() throws {
        spec = try FormsSpec.load()
        file = try HDF5File(opening: Fixtures.path("hdf5/h5py_forms.h5"))
    }

    @Test("every plain attribute reads with its form, shape and value")
    func attributes() throws {
        for entry in spec.attributes where entry.chunked != true {
            let object = try file.root.group(entry.object)
            let info = try object.attributeInfo(entry.name)
            #expect(info.shape == entry.shape, "\(entry.name)")
            let value = try object.readAttribute(entry.name)
            if let numeric = entry.numeric {
                #expect(info.datatype.description == numeric, "\(entry.name)")
                #expect(value.scalars == entry.value, "\(entry.name)")
            } else {
                let expectedForm = try #require(entry.form).form(for: entry.strings)
                #expect(info.datatype == .string(expectedForm), "\(entry.name)")
                #expect(value == .strings(HDF5Array(shape: entry.shape ?? [], values: entry.strings)), "\(entry.name)")
            }
        }
    }

    @Test("a scalar string and a list read through the convenience readers")
    func convenienceReaders() throws {
        #expect(try file.root.readString("vlen_utf8_non_ascii") == "schrödinger_λ_層")
        let weights = try file.root.group("model_weights")
        #expect(try weights.readString("fixed_ascii_nullpad_scalar") == "2.2.4")
        #expect(try weights.readStringList("fixed_ascii_nullpad_array") == ["lstm_1", "dense_12", "gru"])
        #expect(try weights.group("input_layer").readStringList("weight_names") == [])
        #expect(throws: HDF5Error.self) { try file.root.readStringList("float64_array") }
        #expect(throws: HDF5Error.self) { try weights.readString("vlen_ascii_array") }
    }

    @Test("name lists chunked by Keras's own function read whole, in order")
    func chunkedLists() throws {
        let group = try file.root.group("chunked")
        for entry in spec.attributes where entry.chunked == true {
            #expect(try group.readChunkedStringList(entry.name) == entry.strings, "\(entry.name)")
        }
        let names = try group.attributeNames()
        #expect(names.contains("layer_names0") && names.contains("layer_names1") && !names.contains("layer_names"))
        #expect(try group.readChunkedStringList("absent") == nil)
    }

    @Test("every dataset reads with its type, shape and values, converted exactly")
    func datasets() throws {
        for entry in spec.datasets {
            let dataset = try file.root.dataset(entry.path)
            let info = try dataset.info()
            #expect(info.datatype.description == entry.dtype, "\(entry.path)")
            #expect(info.shape == entry.shape, "\(entry.path)")
            #expect(info.layout == .contiguous && info.filterCount == 0, "\(entry.path)")
            let asDouble = try dataset.read(as: Double.self)
            #expect(asDouble.shape == entry.shape && asDouble.values == entry.values, "\(entry.path)")
            if entry.dtype.contains("f") {
                let asFloat = try dataset.read(as: Float.self)
                #expect(asFloat.values == entry.values.map { Float($0) }, "\(entry.path)")
            } else {
                let asInteger = try dataset.read(as: Int64.self)
                #expect(asInteger.values == entry.values.map { Int64($0) }, "\(entry.path)")
            }
        }
    }

    @Test("a chunked, gzip-compressed dataset reads")
    func compressed() throws {
        let dataset = try file.root.dataset(spec.compressed.path)
        let info = try dataset.info()
        #expect(info.layout == .chunked && info.filterCount >= 1)
        let values = try dataset.read(as: Float.self)
        #expect(values.shape == spec.compressed.shape)
        #expect(values.values == (0..<256).map { Float($0) / 7 })
    }

    @Test("groups list in name order, and the tree walk finds every object once")
    func navigation() throws {
        let top = try file.root.children()
        #expect(top.map(\.name) == top.map(\.name).sorted())
        #expect(top.first { $0.name == "soft_link" }?.kind == .softLink)
        #expect(top.first { $0.name == "external_link" }?.kind == .externalLink)
        let all = try file.root.visit()
        for group in spec.groups {
            #expect(all.filter { $0.path == group }.map(\.kind) == [.group], "\(group)")
        }
        for dataset in spec.datasets {
            #expect(all.filter { $0.path == dataset.path }.map(\.kind) == [.dataset])
        }
        #expect(try file.root.exists("empty_group/nested/deeper"))
        #expect(try !file.root.exists("empty_group/missing/deeper"))
        #expect(try file.root.kind(of: "numbers/float64") == .dataset)
        #expect(try file.root.group("empty_group").children().map(\.path) == ["/empty_group/nested"])
    }

    @Test("an external link is refused, never followed; a soft link resolves inside the file")
    func links() throws {
        let error = #expect(throws: HDF5Error.self) { try file.root.dataset("external_link").read(as: Float.self) }
        #expect(error?.code == .refused || error?.code == .wrongKind)
        #expect(try file.root.kind(of: "external_link") == .externalLink)
        #expect(try file.root.dataset("soft_link").read(as: Double.self).shape == [5])
    }
}
