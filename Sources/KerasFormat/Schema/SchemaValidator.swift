import Foundation

/// A JSON Schema (draft 2020-12) validator for the keywords RNNKit's schemas use: `$ref` (relative files
/// and `#/$defs/...`), `type`, `properties`, `required`, `additionalProperties`, `enum`, `const`,
/// `oneOf`, `allOf`, `if`/`then`, `items`, `prefixItems`, `minItems`, `maxItems`, `minimum`, `maximum`
/// and `minLength`. The schemas are Schemas/ as embedded in the binary (EmbeddedSchemas).
struct SchemaValidator {
    /// One violation: where in the document (`config.layers[2].config.units`) and what.
    struct Violation: Equatable {
        var path: String
        var message: String
    }

    private var schemas: [String: JSONValue] = [:]
    private var ids: [String: String] = [:]

    init(files: [String: String] = EmbeddedSchemas.files) throws {
        for (file, text) in files {
            let schema = try JSONValue.parse(text)
            guard let id = schema["$id"]?.stringValue else { continue }
            schemas[id] = schema
            ids[file] = id
        }
    }

    /// The violations of `value` against the schema in file `file` (such as `model.schema.json`).
    func validate(_ value: JSONValue, against file: String) -> [Violation] {
        guard let id = ids[file], let schema = schemas[id] else {
            return [Violation(path: "", message: "no schema \(file)")]
        }
        var violations: [Violation] = []
        check(value, schema, base: id, path: "", into: &violations)
        return violations
    }

    private func resolve(_ reference: String, base: String) -> (JSONValue, String)? {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let document =
            parts[0].isEmpty
            ? base : URL(string: parts[0], relativeTo: URL(string: base))?.absoluteURL.absoluteString ?? ""
        guard var schema = schemas[document] else { return nil }
        if parts.count > 1, !parts[1].isEmpty {
            for token in parts[1].split(separator: "/") {
                guard let next = schema[String(token)] else { return nil }
                schema = next
            }
        }
        return (schema, document)
    }

    private func matches(_ value: JSONValue, _ schema: JSONValue, base: String) -> Bool {
        var violations: [Violation] = []
        check(value, schema, base: base, path: "", into: &violations)
        return violations.isEmpty
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double(let number): number.rounded() == number && number.isFinite ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    private static func hasType(_ value: JSONValue, _ type: String) -> Bool {
        let actual = typeName(value)
        return actual == type || (type == "number" && actual == "integer")
    }

    private func check(
        _ value: JSONValue, _ schema: JSONValue, base: String, path: String, into violations: inout [Violation]
    ) {
        func fail(_ message: String) { violations.append(Violation(path: path, message: message)) }
        guard let rules = schema.objectValue else { return }
        if let reference = rules["$ref"]?.stringValue {
            guard let (target, document) = resolve(reference, base: base) else {
                return fail("unresolvable $ref \(reference)")
            }
            check(value, target, base: document, path: path, into: &violations)
        }
        if let type = rules["type"] {
            let types = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
            if !types.contains(where: { Self.hasType(value, $0) }) {
                return fail("is \(Self.typeName(value)), expected \(types.joined(separator: " or "))")
            }
        }
        if let options = rules["enum"]?.arrayValue, !options.contains(value) {
            fail("is \(value.jsonText.prefix(40)), expected one of \(options.map(\.jsonText).joined(separator: ", "))")
        }
        if let constant = rules["const"], constant != value {
            fail("is \(value.jsonText.prefix(40)), expected \(constant.jsonText)")
        }
        if let number = value.doubleValue {
            if let minimum = rules["minimum"]?.doubleValue, number < minimum {
                fail("is \(number), below the minimum \(minimum)")
            }
            if let maximum = rules["maximum"]?.doubleValue, number > maximum {
                fail("is \(number), above the maximum \(maximum)")
            }
            if let bound = rules["exclusiveMinimum"]?.doubleValue, number <= bound {
                fail("is \(number), not above \(bound)")
            }
            if let bound = rules["exclusiveMaximum"]?.doubleValue, number >= bound {
                fail("is \(number), not below \(bound)")
            }
        }
        if let string = value.stringValue, let minimum = rules["minLength"]?.intValue, string.count < minimum {
            fail("is shorter than \(minimum) characters")
        }
        if let object = value.objectValue {
            for key in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[key] == nil {
                fail("lacks the required key '\(key)'")
            }
            let properties = rules["properties"]?.objectValue ?? JSONObject()
            for (key, item) in object {
                if let rule = properties[key] {
                    check(item, rule, base: base, path: path.isEmpty ? key : "\(path).\(key)", into: &violations)
                } else if let extra = rules["additionalProperties"], extra.objectValue != nil {
                    check(item, extra, base: base, path: path.isEmpty ? key : "\(path).\(key)", into: &violations)
                }
            }
        }
        if let items = value.arrayValue {
            let prefix = rules["prefixItems"]?.arrayValue ?? []
            for (index, item) in items.enumerated() {
                let rule = index < prefix.count ? prefix[index] : rules["items"]
                if let rule { check(item, rule, base: base, path: "\(path)[\(index)]", into: &violations) }
            }
            if let minimum = rules["minItems"]?.intValue, items.count < minimum {
                fail("has \(items.count) items, at least \(minimum) expected")
            }
            if let maximum = rules["maxItems"]?.intValue, items.count > maximum {
                fail("has \(items.count) items, at most \(maximum) expected")
            }
        }
        for rule in rules["allOf"]?.arrayValue ?? [] { check(value, rule, base: base, path: path, into: &violations) }
        if let options = rules["oneOf"]?.arrayValue {
            let passing = options.filter { matches(value, $0, base: base) }.count
            if passing != 1 {
                fail(
                    passing == 0
                        ? "matches none of the allowed forms"
                        : "matches \(passing) of the allowed forms, not exactly one")
            }
        }
        if let condition = rules["if"], matches(value, condition, base: base), let then = rules["then"] {
            check(value, then, base: base, path: path, into: &violations)
        }
    }
}
