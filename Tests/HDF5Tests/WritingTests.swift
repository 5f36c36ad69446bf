import Foundation
import HDF5
import Testing

/// RNNKit writes the spec's writable part; it must read back exactly here, and h5py checks the exact
/// HDF5 types in tools/tests/test_hdf5_interop.py. With RNNKIT_INTEROP_DIR set (scripts/test sets it),
/// the files are left there for that Python test.
@Suite("Writing every form Keras files hold")
struct WritingTests {
    /// Writes the writable part of the spec into `root`.
    static func write(_ spec: FormsSpec, into root: HDF5Group) throws {
        for group in spec.groups { try root.createGroup(group) }
        for dataset in spec.datasets where dataset.writable {
            switch dataset.dtype {
            case "<f4":
                try root.createDataset(dataset.path, values: dataset.values.map { Float($0) }, shape: dataset.shape)
            case "<f8": try root.createDataset(dataset.path, values: dataset.values, shape: dataset.shape)
            case "<i4":
                try root.createDataset(dataset.path, values: dataset.values.map { Int32($0) }, shape: dataset.shape)
            default:
                try root.createDataset(dataset.path, values: dataset.values.map { Int64($0) }, shape: dataset.shape)
            }
        }
        for entry in spec.attributes {
            let object = try root.createGroup(entry.object)
            if entry.chunked == true {
                try object.setChunkedStringList(entry.name, entry.strings)
            } else if let numeric = entry.numeric {
                let shape = entry.shape ?? []
                switch numeric {
                case "<f8": try object.setAttribute(entry.name, values: entry.numbers, shape: shape)
                case "<i4": try object.setAttribute(entry.name, values: entry.numbers.map { Int32($0) }, shape: shape)
                default: try object.setAttribute(entry.name, values: entry.numbers.map { Int64($0) }, shape: shape)
                }
            } else {
                let form = try #require(entry.form).form(for: entry.strings)
                if entry.shape == [] {
                    try object.setAttribute(entry.name, string: entry.strings[0], form: form)
                } else {
                    try object.setAttribute(entry.name, strings: entry.strings, form: form)
                }
            }
        }
    }

    /// Checks that `root` holds the writable part of the spec, read through the public API.
    static func verify(_ spec: FormsSpec, in root: HDF5Group) throws {
        for dataset in spec.datasets where dataset.writable {
            let read = try root.dataset(dataset.path)
            #expect(try read.info().datatype.description == dataset.dtype, "\(dataset.path)")
            let info = try read.info()
            #expect(info.layout == .contiguous && info.filterCount == 0, "\(dataset.path)")
            #expect(
                try read.read(as: Double.self) == HDF5Array(shape: dataset.shape, values: dataset.values),
                "\(dataset.path)")
        }
        for entry in spec.attributes {
            let object = try root.group(entry.object)
            if entry.chunked == true {
                #expect(try object.readChunkedStringList(entry.name) == entry.strings, "\(entry.name)")
                continue
            }
            let info = try object.attributeInfo(entry.name)
            #expect(info.shape == (entry.shape ?? []), "\(entry.name)")
            if let numeric = entry.numeric {
                #expect(info.datatype.description == numeric, "\(entry.name)")
            } else {
                #expect(info.datatype == .string(try #require(entry.form).form(for: entry.strings)), "\(entry.name)")
            }
            #expect(try object.readAttribute(entry.name).scalars == entry.value, "\(entry.name)")
        }
    }

    /// Where the Python interop test looks, or a scratch directory.
    static func outputDirectory() throws -> URL {
        if let dir = ProcessInfo.processInfo.environment["RNNKIT_INTEROP_DIR"], !dir.isEmpty {
            let url = URL(fileURLWithPath: dir)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }
        return try Fixtures.scratchDirectory()
    }

    @Test("a file on disk holds every form, read back exactly")
    func onDisk() throws {
        let spec = try FormsSpec.load()
        let path = try Self.outputDirectory().appendingPathComponent("swift_forms.h5").path
        let file = try HDF5File(creating: path, overwrite: true)
        try Self.write(spec, into: file.root)
        file.close()
        try Self.verify(spec, in: HDF5File(opening: path).root)
    }

    @Test("an in-memory file's image holds every form and opens again from memory and from disk")
    func inMemory() throws {
        let spec = try FormsSpec.load()
        let file = try HDF5File.inMemory(name: "model.weights.h5")
        try Self.write(spec, into: file.root)
        let image = try file.image()
        #expect(HDF5File.hasSignature(image))
        try Self.verify(spec, in: HDF5File(image: image, name: "image").root)
        let path = try Self.outputDirectory().appendingPathComponent("swift_forms_image.h5").path
        try Data(image).write(to: URL(fileURLWithPath: path))
        try Self.verify(spec, in: HDF5File(opening: path).root)
    }

    @Test("an in-memory image opened for writing keeps its changes in memory only")
    func writableImage() throws {
        let original = [UInt8](try Fixtures.data("keras3/functional.keras.model.weights.h5"))
        let file = try HDF5File(image: original, name: "copy", writable: true)
        try file.root.createGroup("added").setAttribute("note", string: "in memory", form: .variableUTF8)
        let changed = try HDF5File(image: try file.image(), name: "changed")
        #expect(try changed.root.group("added").readString("note") == "in memory")
        #expect(try !HDF5File(image: original, name: "original").root.exists("added"))
    }

    @Test("creating refuses to clobber an existing file unless asked, and leaves it intact")
    func noClobber() throws {
        let path = try Fixtures.scratchDirectory().appendingPathComponent("keep.h5").path
        try HDF5File(creating: path).root.setAttribute("v", string: "first", form: .variableUTF8)
        let error = #expect(throws: HDF5Error.self) { try HDF5File(creating: path) }
        #expect(error?.code == .fileExists)
        #expect(try HDF5File(opening: path).root.readString("v") == "first")
        try HDF5File(creating: path, overwrite: true).root.setAttribute("v", string: "second", form: .variableUTF8)
        #expect(try HDF5File(opening: path).root.readString("v") == "second")
    }

    @Test("a scalar, zero-length and nested-path dataset round-trip with their shapes")
    func shapes() throws {
        let file = try HDF5File.inMemory(name: "shapes")
        try file.root.createDataset("a/b/scalar", values: [Float(2.5)], shape: [])
        try file.root.createDataset("a/empty", values: [Float](), shape: [0])
        try file.root.createDataset("a/empty2", values: [Float](), shape: [3, 0])
        #expect(try file.root.dataset("a/b/scalar").read(as: Float.self) == HDF5Array(shape: [], values: [2.5]))
        #expect(try file.root.dataset("a/empty").read(as: Float.self) == HDF5Array(shape: [0], values: []))
        #expect(try file.root.dataset("a/empty2").read(as: Float.self) == HDF5Array(shape: [3, 0], values: []))
        #expect(try file.root.group("a").children().map(\.name) == ["b", "empty", "empty2"])
    }

    @Test("writing rejects what cannot be stored, naming the problem")
    func rejects() throws {
        let file = try HDF5File.inMemory(name: "rejects")
        let group = try file.root.createGroup("g")
        let tooWide = #expect(throws: HDF5Error.self) {
            try group.setAttribute("x", strings: ["abcdef"], form: HDF5StringForm(length: .fixed(3), charset: .ascii))
        }
        #expect(tooWide?.code == .invalidArgument)
        let misfit = #expect(throws: HDF5Error.self) {
            try group.createDataset("d", values: [Float(1), 2, 3], shape: [2, 2])
        }
        #expect(misfit?.code == .invalidArgument)
        try group.createDataset("d", values: [Float(1)], shape: [1])
        #expect(throws: HDF5Error.self) { try group.createDataset("d", values: [Float(1)], shape: [1]) }
        let blocked = #expect(throws: HDF5Error.self) { try group.createGroup("d/inner") }
        #expect(blocked?.code == .wrongKind)
        let huge = String(repeating: "n", count: 64513)
        #expect(throws: HDF5Error.self) { try group.setChunkedStringList("names", [huge]) }
        let readOnly = try HDF5File(opening: Fixtures.path("keras3/sequential.h5"))
        let refused = #expect(throws: HDF5Error.self) {
            try readOnly.root.setAttribute("x", string: "y", form: .variableUTF8)
        }
        #expect(refused?.code == .invalidArgument)
    }

    @Test("replacing an attribute and removing attributes and links")
    func replaceAndRemove() throws {
        let file = try HDF5File.inMemory(name: "replace")
        let root = file.root
        try root.setAttribute("a", string: "one", form: .variableASCII)
        try root.setAttribute("a", strings: ["x", "y"], form: .variableUTF8)
        #expect(try root.readStringList("a") == ["x", "y"])
        try root.setChunkedStringList("names", (0..<400).map { String(repeating: "q", count: 200) + "\($0)" })
        #expect(try root.attributeNames().filter { $0.hasPrefix("names") } == ["names0", "names1"])
        try root.setChunkedStringList("names", ["short"])
        #expect(try root.attributeNames().filter { $0.hasPrefix("names") } == ["names"])
        try root.removeAttribute("a")
        #expect(try !root.hasAttribute("a"))
        try root.createGroup("x/y")
        try root.removeLink("x")
        #expect(try !root.exists("x"))
    }
}
