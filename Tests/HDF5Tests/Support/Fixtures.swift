import Foundation
import HDF5

/// Files under Tests/Fixtures (made by the tools/ scripts) and unique scratch paths.
enum Fixtures {
    /// Tests/Fixtures, found from this source file so tests run from any directory.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    static func data(_ relative: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(relative))
    }

    /// A new empty directory for one test; tests run in parallel, so every test gets its own.
    static func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rnnkit-hdf5-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The real Keras files that have an h5py manifest beside them.
    static let kerasFiles = [
        "keras3/functional.h5",
        "keras3/functional.weights.h5",
        "keras3/functional.keras.model.weights.h5",
        "keras3/sequential.h5",
        "keras3/many_long_names.h5",
        "tf_keras/functional.h5",
        "tf_keras/functional_weights.h5",
        "tf_keras/functional.keras.model.weights.h5",
    ]
}

/// A string or a number, as JSON fixtures hold them.
enum JSONScalar: Decodable, Equatable {
    case string(String)
    case number(Double)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            self = .string(string)
        } else {
            self = .number(try container.decode(Double.self))
        }
    }

    var string: String? { if case .string(let value) = self { value } else { nil } }
    var number: Double? { if case .number(let value) = self { value } else { nil } }
}

/// A string form as the Python side spells it.
struct FormSpec: Decodable, Equatable {
    var length: String
    var charset: String
    var padding: String

    /// The `HDF5StringForm` for these values (fixed width = the longest value, as the generator made it).
    func form(for values: [String]) -> HDF5StringForm {
        let charset: HDF5StringForm.Charset = self.charset == "utf8" ? .utf8 : .ascii
        let padding: HDF5StringForm.Padding =
            switch self.padding {
            case "nullpad": .nullPadded
            case "spacepad": .spacePadded
            default: .nullTerminated
            }
        if length == "variable" { return HDF5StringForm(length: .variable, charset: charset, padding: padding) }
        return .fixed(fitting: values, charset: charset, padding: padding)
    }

    init(length: String, charset: String, padding: String) {
        self.length = length
        self.charset = charset
        self.padding = padding
    }

    /// The spec spelling of a form read by RNNKit.
    init(_ form: HDF5StringForm) {
        if case .variable = form.length { length = "variable" } else { length = "fixed" }
        charset = form.charset == .utf8 ? "utf8" : "ascii"
        switch form.padding {
        case .nullTerminated: padding = "nullterm"
        case .nullPadded: padding = "nullpad"
        case .spacePadded: padding = "spacepad"
        }
    }
}

/// tools/hdf5_forms.py's spec (Tests/Fixtures/hdf5/forms.json).
struct FormsSpec: Decodable {
    struct Attribute: Decodable {
        var object: String
        var name: String
        var form: FormSpec?
        var numeric: String?
        var chunked: Bool?
        var shape: [Int]?
        var value: [JSONScalar]
        var strings: [String] { value.compactMap(\.string) }
        var numbers: [Double] { value.compactMap(\.number) }
    }

    struct Dataset: Decodable {
        var path: String
        var dtype: String
        var shape: [Int]
        var values: [Double]
        var writable: Bool
    }

    struct Compressed: Decodable {
        var path: String
        var dtype: String
        var shape: [Int]
    }

    var groups: [String]
    var attributes: [Attribute]
    var datasets: [Dataset]
    var compressed: Compressed

    static func load() throws -> FormsSpec {
        try JSONDecoder().decode(FormsSpec.self, from: Fixtures.data("hdf5/forms.json"))
    }
}

/// tools/hdf5_manifest.py's description of a file, as h5py reads it.
struct Manifest: Decodable {
    struct Object: Decodable {
        var path: String
        var kind: String
        var dtype: String?
        var shape: [Int]?
        var values: [Double]?
    }

    struct TypeInfo: Decodable, Equatable {
        var `class`: String
        var form: FormSpec?
        var size: Int?
        var dtype: String?
    }

    struct Attribute: Decodable {
        var object: String
        var name: String
        var type: TypeInfo
        var shape: [Int]
        var value: [JSONScalar]
    }

    var objects: [Object]
    var attributes: [Attribute]

    static func load(for relative: String) throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Fixtures.data(relative + ".manifest.json"))
    }
}

extension Manifest.TypeInfo {
    /// The manifest spelling of a datatype read by RNNKit.
    init(_ datatype: HDF5Datatype) {
        switch datatype {
        case .string(let form):
            var size: Int?
            if case .fixed(let width) = form.length { size = width }
            self.init(class: "string", form: FormSpec(form), size: size, dtype: nil)
        case .float:
            self.init(class: "float", form: nil, size: nil, dtype: datatype.description)
        case .integer:
            self.init(class: "integer", form: nil, size: nil, dtype: datatype.description)
        case .other:
            self.init(class: "other", form: nil, size: nil, dtype: nil)
        }
    }
}

extension HDF5AttributeValue {
    /// The value as the manifest lists it: strings, or numbers as Double.
    var scalars: [JSONScalar] {
        switch self {
        case .strings(let array): return array.values.map(JSONScalar.string)
        case .floats(let array): return array.values.map(JSONScalar.number)
        case .integers(let array): return array.values.map { .number(Double($0)) }
        }
    }
}
