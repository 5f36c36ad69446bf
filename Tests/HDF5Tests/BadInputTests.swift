import Foundation
import Testing

@testable import HDF5

/// Missing, empty, foreign, truncated and damaged files give an `HDF5Error` that says what is wrong,
/// never a crash.
@Suite("Bad input")
struct BadInputTests {
    static let realFiles = [
        "keras3/functional.h5", "keras3/functional.keras.model.weights.h5", "tf_keras/functional_weights.h5",
    ]

    static func write(_ bytes: [UInt8], name: String) throws -> String {
        let path = try Fixtures.scratchDirectory().appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Reads everything in a file: the whole tree, every attribute, every dataset. Throws on the first
    /// failure; a damaged file may fail anywhere, but only with an HDF5Error.
    static func readEverything(_ file: HDF5File) throws {
        for name in try file.root.attributeNames() { _ = try file.root.readAttribute(name) }
        for entry in try file.root.visit() {
            switch entry.kind {
            case .dataset:
                let dataset = try file.root.dataset(entry.path)
                for name in try dataset.attributeNames() { _ = try dataset.readAttribute(name) }
                _ = try dataset.read(as: Float.self)
            case .group:
                let group = try file.root.group(entry.path)
                for name in try group.attributeNames() { _ = try group.readAttribute(name) }
            default:
                continue
            }
        }
    }

    @Test("a missing file and a directory are 'file not found'")
    func missing() throws {
        let missing = #expect(throws: HDF5Error.self) { try HDF5File(opening: "/nonexistent/model.h5") }
        #expect(missing?.code == .fileNotFound)
        #expect(missing?.description == "/nonexistent/model.h5: cannot open file: no such file")
        let directory = #expect(throws: HDF5Error.self) { try HDF5File(opening: NSTemporaryDirectory()) }
        #expect(directory?.code == .fileNotFound)
    }

    @Test("empty, text and random-byte files are 'not an HDF5 file'", arguments: 0..<8)
    func foreign(_ seed: Int) throws {
        var random = SeededBytes(seed: UInt64(seed))
        let contents: [[UInt8]] = [
            [], Array("{\"class_name\": \"Sequential\"}\n".utf8), random.bytes(1 + random.below(5000)),
        ]
        for bytes in contents {
            let path = try Self.write(bytes, name: "foreign.h5")
            let error = #expect(throws: HDF5Error.self) { try HDF5File(opening: path) }
            #expect(error?.code == .notHDF5)
            #expect(error?.description.contains("not an HDF5 file") == true)
            let image = #expect(throws: HDF5Error.self) { try HDF5File(image: bytes, name: "image") }
            #expect(image?.code == .notHDF5)
        }
    }

    @Test("a signature followed by garbage is 'truncated or damaged'", arguments: 0..<8)
    func signatureThenGarbage(_ seed: Int) throws {
        var random = SeededBytes(seed: 100 + UInt64(seed))
        let bytes: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A] + random.bytes(random.below(4000))
        let error = #expect(throws: HDF5Error.self) { try HDF5File(opening: try Self.write(bytes, name: "garbage.h5")) }
        #expect(error?.code == .damaged)
        #expect(error?.description.contains("truncated or damaged") == true)
        #expect(error?.libraryStack.isEmpty == false)
        #expect(throws: HDF5Error.self) { try HDF5File(image: bytes, name: "garbage") }
    }

    @Test("a real file cut short anywhere fails with an error, from disk and from memory", arguments: realFiles)
    func truncated(_ relative: String) throws {
        let bytes = [UInt8](try Fixtures.data(relative))
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 37)) + [bytes.count - 1] {
            let cut = Array(bytes.prefix(length))
            let path = try Self.write(cut, name: "cut.h5")
            let error = #expect(throws: HDF5Error.self, "cut at \(length)") {
                try Self.readEverything(HDF5File(opening: path))
            }
            #expect(
                error.map { [.notHDF5, .damaged].contains($0.code) } == true,
                "cut at \(length): \(String(describing: error))")
            #expect(throws: HDF5Error.self, "cut at \(length)") {
                try Self.readEverything(HDF5File(image: cut, name: "cut"))
            }
        }
    }

    /// Damage to the superblock (the file's first 96 bytes after the signature) must always be caught.
    /// Deeper damage to object headers or the global heap can crash libhdf5 1.10.8 itself (h5dump
    /// included; HDF5 2.0 does not), a limitation the README records.
    @Test("a real file with its superblock overwritten at random fails cleanly or reads", arguments: realFiles)
    func damagedSuperblock(_ relative: String) throws {
        let original = [UInt8](try Fixtures.data(relative))
        var random = SeededBytes(seed: UInt64(relative.utf8.count))
        var failures = 0
        for _ in 0..<100 {
            var bytes = original
            for _ in 0..<(1 + random.below(6)) {
                bytes[8 + random.below(88)] = UInt8(truncatingIfNeeded: random.next())
            }
            do {
                try Self.readEverything(HDF5File(image: bytes, name: "damaged"))
            } catch let error as HDF5Error {
                failures += 1
                #expect([.damaged, .notFound, .unsupportedType, .refused].contains(error.code), "\(error)")
            }
        }
        #expect(failures > 50)
    }

    @Test("asking for what is not there names the object")
    func notThere() throws {
        let file = try HDF5File(opening: Fixtures.path("keras3/sequential.h5"))
        let group = #expect(throws: HDF5Error.self) { try file.root.group("model_weights/nope") }
        #expect(group?.code == .notFound)
        #expect(group?.objectPath == "/model_weights/nope")
        let attribute = #expect(throws: HDF5Error.self) { try file.root.readAttribute("nope") }
        #expect(attribute?.code == .notFound)
        let kind = #expect(throws: HDF5Error.self) { try file.root.dataset("model_weights") }
        #expect(kind?.code == .wrongKind)
        let kernel = try #require(try file.root.group("model_weights").visit().first { $0.kind == .dataset })
        let strings = #expect(throws: HDF5Error.self) { try file.root.dataset(kernel.path).readStrings() }
        #expect(strings?.code == .unsupportedType)
        let numbers = #expect(throws: HDF5Error.self) {
            try HDF5File(opening: Fixtures.path("hdf5/h5py_forms.h5")).root.readStringList("int32_matrix")
        }
        #expect(numbers?.code == .wrongKind)
    }

    @Test("a closed file refuses further calls")
    func closed() throws {
        let file = try HDF5File(opening: Fixtures.path("keras3/sequential.h5"))
        let group = try file.root.group("model_weights")
        file.close()
        file.close()
        #expect(!file.isOpen)
        let error = #expect(throws: HDF5Error.self) { try group.readStringList("layer_names") }
        #expect(error?.code == .closed)
    }

    @Test("an in-memory file's name can never exist on disk, so no file in any directory can shadow or break it")
    func memoryNamesStayOffDisk() throws {
        // The core driver refuses an image whose name exists on disk; a relative name let a file in the
        // working directory break loading a .keras archive (issue 11, class 8).
        let name = Library.uniqueMemoryName("model.weights.h5")
        #expect(name.hasPrefix("/"), "a relative name resolves against the working directory")
        let descriptor = open(name, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if descriptor >= 0 {
            close(descriptor)
            unlink(name)
        }
        #expect(descriptor < 0 && errno == ENOTDIR, "\(name) could be created")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.path("keras3/sequential.h5"))))
        #expect(try !HDF5File(image: bytes, name: "model.weights.h5").root.group("model_weights").children().isEmpty)
    }
}
