import RecurrentLayers

/// Typed reads of a layer config's fields, in every generation's spelling.
struct Fields {
    var config: JSONObject
    var layer: String
    var factory: LayerFactory

    func bool(_ key: String, _ fallback: Bool) -> Bool { config[key]?.boolValue ?? fallback }
    func int(_ key: String) -> Int? { config[key]?.intValue }
    func double(_ key: String) -> Double? { config[key]?.doubleValue }
    func string(_ key: String) -> String? { config[key]?.stringValue }

    func required(_ key: String, orOld old: String? = nil) throws -> Int {
        guard let value = int(key) ?? old.flatMap(int) else { throw factory.fail(layer, "the config has no '\(key)'") }
        return value
    }

    /// An integer or a list of integers (`kernel_size: [3]` or `3`, `cropping: [1, 2]`), as a list.
    func ints(_ key: String) throws -> [Int]? {
        guard let value = config[key], !value.isNull else { return nil }
        if let single = value.intValue { return [single] }
        guard let items = value.arrayValue else {
            throw factory.fail(layer, "'\(key)' holds \(value.jsonText), not integers")
        }
        return try items.map { item in
            guard let number = item.intValue else {
                throw factory.fail(layer, "'\(key)' holds \(value.jsonText), not integers")
            }
            return number
        }
    }

    /// A single integer that may be written as a one-element list (`pool_size: [2]`).
    func int1D(_ key: String, orOld old: String? = nil) throws -> Int? {
        guard let values = try ints(key) ?? old.flatMap({ try ints($0) }) else { return nil }
        guard values.count == 1 else { throw factory.fail(layer, "'\(key)' must hold one integer, found \(values)") }
        return values[0]
    }

    /// A `(before, after)` pair written as an integer (both) or a pair.
    func pair(_ key: String, default fallback: Int) throws -> (Int, Int) {
        guard let values = try ints(key) else { return (fallback, fallback) }
        switch values.count {
        case 1: return (values[0], values[0])
        case 2: return (values[0], values[1])
        default: throw factory.fail(layer, "'\(key)' must hold one or two integers, found \(values)")
        }
    }

    /// Refuses `data_format: channels_first` (RNNKit's sequence layers are channels last, Keras's default).
    func channelsLast() throws {
        if let format = string("data_format"), format != "channels_last" {
            throw factory.fail(layer, "data_format '\(format)' is not supported; RNNKit reads channels_last")
        }
    }

    /// `data_format` (or Keras 1's `dim_ordering`, `th` meaning channels first): true for channels first.
    func channelsFirst() throws -> Bool {
        let format =
            string("data_format")
            ?? string("dim_ordering").map { $0 == "th" ? "channels_first" : "channels_last" } ?? "channels_last"
        guard format == "channels_last" || format == "channels_first" else {
            throw factory.fail(layer, "data_format '\(format)' is not channels_last or channels_first")
        }
        return format == "channels_first"
    }

    /// One integer per spatial dimension: `key` as one integer (for all) or `rank` of them, else the
    /// Keras 1 keys `old` (one integer each, as `nb_row`, `nb_col`), else `fallback` for each.
    func tuple(_ key: String, rank: Int, old: [String] = [], default fallback: Int?) throws -> [Int]? {
        if let values = try ints(key) {
            if values.count == 1 { return Array(repeating: values[0], count: rank) }
            guard values.count == rank else {
                throw factory.fail(layer, "'\(key)' must hold 1 or \(rank) integers, found \(values)")
            }
            return values
        }
        let oldValues = try old.compactMap { try ints($0) }.flatMap { $0 }
        if !old.isEmpty, oldValues.count == rank { return oldValues }
        return fallback.map { Array(repeating: $0, count: rank) }
    }

    /// A sliding window's padding, `padding` (Keras 2+) or `border_mode` (Keras 1).
    func padding(allowCausal: Bool) throws -> Padding {
        let name = string("padding") ?? string("border_mode") ?? "valid"
        guard let padding = Padding(rawValue: name.lowercased()), allowCausal || padding != .causal else {
            throw factory.fail(layer, "padding '\(name)' is not one of valid, same\(allowCausal ? ", causal" : "")")
        }
        return padding
    }

    /// A shape such as `[null, 40, 1]`.
    func shape(_ key: String) throws -> [Int?]? {
        guard let items = config[key]?.arrayValue else { return nil }
        return try items.map { item in
            if item.isNull { return nil }
            guard let value = item.intValue else {
                throw factory.fail(layer, "'\(key)' holds \(item.jsonText), not a dimension")
            }
            return value
        }
    }

    /// The feature count (last dimension) of an input shape.
    func features(_ inputShape: [Int?]) throws -> Int {
        guard let last = inputShape.last, let features = last else {
            throw factory.fail(
                layer,
                "its input's last dimension is unknown (input shape \(inputShape.map { $0.map(String.init) ?? "None" }))"
            )
        }
        return features
    }

    /// An activation by name (a string, or Keras's `{"class_name": ..., "config": {"name": ...}}` form).
    func activation(_ key: String, default fallback: String = "linear", orOld old: String? = nil) throws -> Activation {
        let value = config[key] ?? old.flatMap { config[$0] }
        let name =
            value?.stringValue ?? value?["config"]?["name"]?.stringValue ?? (value?.isNull == false ? nil : fallback)
        guard let name else {
            throw factory.fail(layer, "'\(key)' is \(value?.jsonText ?? "missing"), not an activation name")
        }
        do {
            return try Activation(kerasName: name, keras2: factory.keras2)
        } catch {
            throw KerasFormatError(
                .unsupportedLayer, file: factory.file, layer: layer,
                reason: "the activation '\(name)' is not one RNNKit knows")
        }
    }

    /// A regularizer config (`{"class_name": "L2", "config": {"l2": 0.01}}`, any generation's names).
    func regularizer(_ key: String) throws -> Regularizer? {
        guard let value = config[key], !value.isNull, let className = value["class_name"]?.stringValue else {
            return nil
        }
        let settings = value["config"] ?? .null
        func number(_ name: String, _ fallback: Double) -> Float { Float(settings[name]?.doubleValue ?? fallback) }
        switch className {
        case "L1", "l1": return .l1(number("l1", 0.01))
        case "L2", "l2": return .l2(number("l2", 0.01))
        case "L1L2", "l1_l2": return .l1l2(l1: number("l1", 0), l2: number("l2", 0))
        case "OrthogonalRegularizer", "orthogonal_regularizer":
            return .orthogonal(
                factor: number("factor", 0.01), mode: settings["mode"]?.stringValue == "columns" ? .columns : .rows)
        default: return nil
        }
    }

    /// A constraint config (`{"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}}`).
    func constraint(_ key: String) throws -> Constraint? {
        guard let value = config[key], !value.isNull, let className = value["class_name"]?.stringValue else {
            return nil
        }
        let settings = value["config"] ?? .null
        func number(_ name: String, _ fallback: Double) -> Float { Float(settings[name]?.doubleValue ?? fallback) }
        let axis =
            settings["axis"].map { $0.arrayValue?.compactMap(\.intValue) ?? $0.intValue.map { [$0] } ?? [0] } ?? [0]
        switch className {
        case "MaxNorm", "max_norm": return .maxNorm(maxValue: number("max_value", 2), axis: axis)
        case "NonNeg", "non_neg": return .nonNeg
        case "UnitNorm", "unit_norm": return .unitNorm(axis: axis)
        case "MinMaxNorm", "min_max_norm":
            return .minMaxNorm(
                minValue: number("min_value", 0), maxValue: number("max_value", 1), rate: number("rate", 1), axis: axis)
        default: return nil
        }
    }
}
