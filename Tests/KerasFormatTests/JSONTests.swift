import Foundation
import HDF5
import KerasFormat
import Testing

/// The JSON layer: configs Keras wrote read and written back byte for byte, and bad JSON refused.
@Suite("JSON")
struct JSONTests {
    static func fixture(_ relative: String) -> String { LayoutTests.fixture(relative) }

    /// Every config JSON Keras wrote into the fixtures: archive members and legacy attributes.
    static func kerasTexts() throws -> [(String, String)] {
        var texts: [(String, String)] = []
        for archive in ["keras3/functional.keras", "tf_keras/functional.keras"] {
            let zip = try KerasArchive(path: fixture(archive))
            for member in ["config.json", "metadata.json"] {
                texts.append(("\(archive)/\(member)", String(decoding: try zip.require(member), as: UTF8.self)))
            }
        }
        for file in [
            "keras3/functional.h5", "keras3/sequential.h5", "keras3/many_long_names.h5", "tf_keras/functional.h5",
        ] {
            let root = try HDF5File(opening: fixture(file)).root
            for attribute in ["model_config", "training_config"] where try root.hasAttribute(attribute) {
                texts.append(("\(file)@\(attribute)", try root.readString(attribute)))
            }
        }
        return texts
    }

    @Test("every config Keras wrote parses and writes back byte for byte")
    func roundTrip() throws {
        let texts = try Self.kerasTexts()
        #expect(texts.count >= 10)
        for (label, text) in texts {
            let value = try JSONValue.parse(text)
            #expect(value.jsonText == text, "\(label)")
        }
    }

    @Test("values, order, integers apart from floats, and Python's extensions")
    func values() throws {
        let value = try JSONValue.parse(
            #"{"b": 1, "a": [1.0, -2.5e-07, 1e+16, NaN, -Infinity], "c": "\u00e9\ud83d\ude00", "d": null, "e": true}"#)
        #expect(value.objectValue?.keys == ["b", "a", "c", "d", "e"])
        #expect(value["b"] == .int(1) && value["b"]?.intValue == 1)
        #expect(value["a"]?.arrayValue?[0] == .double(1) && value["a"]?.arrayValue?[0].intValue == 1)
        #expect(value["a"]?.arrayValue?[3].doubleValue?.isNaN == true)
        #expect(value["c"]?.stringValue == "é😀" && value["d"]?.isNull == true && value["e"]?.boolValue == true)
        #expect(
            value.jsonText
                == #"{"b": 1, "a": [1.0, -2.5e-07, 1e+16, NaN, -Infinity], "c": "\u00e9\ud83d\ude00", "d": null, "e": true}"#
        )
        var object = try #require(value.objectValue)
        object["b"] = nil
        object["z"] = .string("new")
        #expect(object.keys == ["a", "c", "d", "e", "z"])
    }

    @Test(
        "bad JSON is refused with the byte offset",
        arguments: ["", "{", "[1,]", "{\"a\" 1}", "\"\\x\"", "tru", "1 2", "{\"a\": \"\u{01}\"}"])
    func bad(_ text: String) throws {
        let error = #expect(throws: JSONError.self) { try JSONValue.parse(text) }
        #expect(error?.description.hasPrefix("invalid JSON at byte") == true)
    }

    @Test("nesting deeper than any config is refused, not a stack overflow")
    func deep() throws {
        #expect(throws: JSONError.self) { try JSONValue.parse(String(repeating: "[", count: 100_000)) }
    }
}
