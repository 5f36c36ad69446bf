import Foundation
import HDF5
import RecurrentLayers

/// Reads the weights of each layer from a weights file, in the order of the layer's slots.
enum WeightReaders {
    /// Keras 3 operation classes: nodes of the graph that are not layers (not in `model.layers`).
    static let operationClasses: Set<String> = [
        "NotEqual", "Equal", "Greater", "GreaterEqual", "Less", "LessEqual", "Add", "Subtract", "Multiply", "Divide",
        "Cast", "LogicalOr", "LogicalAnd", "LogicalNot", "ExpandDims", "ZerosLike", "OnesLike", "Any", "All",
        "ConvertToTensor",
    ]

    /// Keras's `to_snake_case`: `SimpleRNN` -> `simple_rnn`, `LSTMCell` -> `lstm_cell`, `ConvLSTM2D` -> `conv_lstm2d`.
    static func snakeCase(_ name: String) -> String {
        var text = name.filter { $0.isLetter || $0.isNumber || $0 == "_" }
        text = text.replacingOccurrences(of: "(.)([A-Z][a-z]+)", with: "$1_$2", options: .regularExpression)
        text = text.replacingOccurrences(of: "([a-z])([A-Z])", with: "$1_$2", options: .regularExpression)
        return text.lowercased()
    }

    /// Unique names within one container: the first `name`, then `name_1`, `name_2`, ...
    struct Namer {
        private var counts: [String: Int] = [:]
        mutating func name(_ base: String) -> String {
            let count = counts[base, default: 0]
            counts[base] = count + 1
            return count == 0 ? base : "\(base)_\(count)"
        }
    }

    /// Keras 3's object paths (KERAS.md C.2): for each model layer with variables, the `vars` groups that
    /// hold them, in slot order. `model.layers` is the config order without operations (and without the
    /// InputLayer for Sequential); container names are the snake_case class names made unique.
    static func keras3Paths(model: Model, sources: [ModelConfig.Layer], sequential: Bool) throws -> [(
        index: Int, owner: String, groups: [VariableGroup]
    )] {
        var namer = Namer()
        var result: [(index: Int, owner: String, groups: [VariableGroup])] = []
        for (index, source) in sources.enumerated() where !operationClasses.contains(source.className) {
            if sequential && source.className == "InputLayer" { continue }
            let path = "layers/" + namer.name(snakeCase(source.className))
            let groups = try variableGroups(
                of: model.layers[index], className: source.className, config: source.config, path: path)
            result.append((index, path, groups))
        }
        return result
    }

    /// Keras 3 `.weights.h5` / `.keras` (KERAS.md C.2): each layer's variables under its object path.
    /// - Returns: the tensors for each model layer index that has weights.
    static func keras3(_ root: HDF5Group, model: Model, sources: [ModelConfig.Layer], sequential: Bool, file: String)
        throws -> [Int: [Tensor]]
    {
        let limit = elementLimit(model)
        return try keras3(model: model, sources: sources, sequential: sequential) { path, count, layer in
            try variables(root, path, count: count, file: file, layer: layer, limit: limit)
        }
    }

    /// The same, reading each `vars` group through `read(path, count, layer)` (one file or a sharded set).
    static func keras3(
        model: Model, sources: [ModelConfig.Layer], sequential: Bool, read: (String, Int, String) throws -> [Tensor]
    ) throws -> [Int: [Tensor]] {
        var result: [Int: [Tensor]] = [:]
        for (index, _, groups) in try keras3Paths(model: model, sources: sources, sequential: sequential)
        where !groups.isEmpty {
            var tensors: [Tensor] = []
            for group in groups { tensors += try read(group.path, group.count, sources[index].name) }
            result[index] = tensors
        }
        return result
    }

    /// A `vars` group: its path, how many variables it holds, and the object's name (its `@name`).
    struct VariableGroup {
        var path: String
        var count: Int
        var name: String
    }

    /// The `vars` groups holding a layer's variables, in slot order.
    static func variableGroups(of layer: ModelLayer, className: String, config: JSONObject, path: String) throws
        -> [VariableGroup]
    {
        switch layer {
        case .input, .operation: return []
        case .feedForward(let inner):
            let count = inner.weightSlots.count
            if count == 0 { return [] }
            if let attention = inner as? MultiHeadAttention {
                let each = attention.useBias ? 2 : 1
                // Keras 3.15 names the gate by its private attribute (the others have public properties).
                let gate = attention.useGate ? ["_gate_dense"] : []
                return (["query_dense", "key_dense"] + gate + ["value_dense", "output_dense"]).map {
                    VariableGroup(path: "\(path)/\($0)/vars", count: each, name: $0)
                }
            }
            if let nested = inner as? NestedModel {
                return try nestedGroups(nested, className: className, config: config, path: path)
            }
            if className == "TimeDistributed", let nested = (inner as? TimeDistributed)?.layer as? NestedModel,
                let wrapped = config["layer"]
            {
                return try nestedGroups(
                    nested, className: wrapped["class_name"]?.stringValue ?? "Sequential",
                    config: wrapped["config"]?.objectValue ?? JSONObject(), path: "\(path)/layer")
            }
            if className == "TimeDistributed" {
                let innerName = config["layer"]?["config"]?["name"]?.stringValue ?? inner.name
                return [VariableGroup(path: "\(path)/layer/vars", count: count, name: innerName)]
            }
            return [VariableGroup(path: "\(path)/vars", count: count, name: inner.name)]
        case .recurrent(let rnn):
            return cellGroups(rnn.cell, classes: cellClasses(className, config), path: "\(path)/cell")
        case .bidirectional(let wrapper):
            let inner = config["layer"]
            let classes = cellClasses(
                inner?["class_name"]?.stringValue ?? "", inner?["config"]?.objectValue ?? JSONObject())
            let backward = config["backward_layer"]
            let backwardClasses =
                backward.map {
                    cellClasses($0["class_name"]?.stringValue ?? "", $0["config"]?.objectValue ?? JSONObject())
                } ?? classes
            return cellGroups(wrapper.forward.cell, classes: classes, path: "\(path)/forward_layer/cell")
                + cellGroups(wrapper.backward.cell, classes: backwardClasses, path: "\(path)/backward_layer/cell")
        }
    }

    /// A nested model's `vars` groups: its own layers' paths (KERAS.md C.2) under the nested model's
    /// path, `layers/functional/layers/dense/vars`. The inner config layers are found by name (names are
    /// unique within a model); a Sequential's input layer made from the shape it was called on has none.
    static func nestedGroups(_ nested: NestedModel, className: String, config: JSONObject, path: String) throws
        -> [VariableGroup]
    {
        let parsed = try ModelConfig(
            .object(JSONObject([("class_name", .string(className)), ("config", .object(config))])), file: "")
        return try keras3Paths(
            model: nested.model, sources: ModelConfig.sources(of: nested.model, in: parsed),
            sequential: parsed.kind == .sequential
        )
        .flatMap { entry in
            entry.groups.map { VariableGroup(path: "\(path)/\($0.path)", count: $0.count, name: $0.name) }
        }
    }

    /// The Keras class names of a recurrent layer's cells, from its config: `[LSTMCell]` for an LSTM,
    /// the `cells` of a StackedRNNCells, the `cell` of an RNN (custom cells included).
    static func cellClasses(_ className: String, _ config: JSONObject) -> [String] {
        switch className {
        case "SimpleRNN", "LSTM", "GRU": return [className + "Cell"]
        case "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D": return ["ConvLSTMCell"]
        default:
            guard let cell = config["cell"] else { return [] }
            if cell["class_name"]?.stringValue == "StackedRNNCells" {
                return (cell["config"]?["cells"]?.arrayValue ?? []).compactMap { $0["class_name"]?.stringValue }
            }
            return cell["class_name"]?.stringValue.map { [$0] } ?? []
        }
    }

    /// The `vars` groups of a cell (one per cell of a stack), named by Keras class (`classes`, from the
    /// config) or else by Swift type.
    static func cellGroups(_ cell: any RecurrentCell, classes: [String], path: String) -> [VariableGroup] {
        func className(_ index: Int, _ cell: any RecurrentCell) -> String {
            index < classes.count ? classes[index] : String(describing: type(of: cell))
        }
        guard let stacked = cell as? StackedRNNCells else {
            return [
                VariableGroup(path: "\(path)/vars", count: cell.weightSlots.count, name: snakeCase(className(0, cell)))
            ]
        }
        var namer = Namer()
        return stacked.cells.enumerated().map { index, cell in
            let name = namer.name(snakeCase(className(index, cell)))
            return VariableGroup(path: "\(path)/cells/\(name)/vars", count: cell.weightSlots.count, name: name)
        }
    }

    /// `vars/0`, `vars/1`, ... of one group, as float32; the group must hold exactly `count` (Keras's check).
    static func variables(
        _ root: HDF5Group, _ path: String, count: Int, file: String, layer: String, limit: Int
    ) throws -> [Tensor] {
        let path = try resolve(root, path)
        guard try root.kind(of: path) == .group else {
            throw KerasFormatError(
                .weightMismatch, file: file, layer: layer, slot: "/\(path)",
                reason: "the weights file has no group /\(path)")
        }
        let group = try root.group(path)
        let names = try group.children().filter { $0.kind == .dataset }.map(\.name)
        guard names.count == count else {
            throw KerasFormatError(
                .weightMismatch, file: file, layer: layer, slot: "/\(path)",
                reason: "/\(path) holds \(names.count) variables, the layer expects \(count)")
        }
        return try (0..<count).map { index in
            guard names.contains(String(index)) else {
                throw KerasFormatError(
                    .weightMismatch, file: file, layer: layer, slot: "/\(path)/\(index)",
                    reason: "/\(path) has no variable \(index)")
            }
            return try tensor(group.dataset(String(index)), limit: limit, layer: layer, file: file)
        }
    }

    /// The root of Keras 3 layer paths in archives tf.keras 2.13 wrote.
    static let checkpointDependencies = "_layer_checkpoint_dependencies"

    /// Keras 3's compatibility rule for tf.keras 2.13 archives (KERAS.md C, `H5Entry`): when a `vars` group
    /// is absent and the file has `_layer_checkpoint_dependencies`, every "layers" in the path is replaced
    /// by that name (Python's `str.replace`, so nested models' paths too).
    static func resolve(_ root: HDF5Group, _ path: String) throws -> String {
        if try root.kind(of: path) != .group, let private_ = tfKerasPrivateSublayer(path),
            try root.kind(of: private_) == .group
        {
            return private_
        }
        if try root.kind(of: path) != .group, let windows = try windowsPath(root, path) { return windows }
        guard try root.kind(of: path) != .group, try root.kind(of: checkpointDependencies) == .group else {
            return path
        }
        return checkpointDependenciesPath(path)
    }

    /// tf.keras on Windows joined weight paths with backslashes (issue 16): the object `layers/lstm/cell`
    /// is one group named `layers\lstm\cell` at the root, its `vars` inside. The path of that group for
    /// `path` (also under tf.keras 2.13's `_layer_checkpoint_dependencies`), when exactly that group exists:
    /// the same structure with other separators, so the mapping is unambiguous.
    static func windowsPath(_ root: HDF5Group, _ path: String) throws -> String? {
        guard path.hasSuffix("/vars"), path.contains("/") else { return nil }
        let object = String(path.dropLast("/vars".count))
        for candidate in [object, checkpointDependenciesPath(object)] {
            let name = candidate.replacingOccurrences(of: "/", with: "\\")
            guard name != candidate, try root.kind(of: name) == .group else { continue }
            let vars = "\(name)/vars"
            if try root.kind(of: vars) == .group { return vars }
        }
        return nil
    }

    /// True when a Keras 3 weights file holds groups named with Windows separators at its root.
    static func hasWindowsPaths(_ root: HDF5Group) throws -> Bool {
        try root.children().contains { $0.kind == .group && $0.name.contains("\\") }
    }

    /// tf.keras's `.keras` archives name MultiHeadAttention's projections by their private attributes
    /// (`_query_dense`, ...) where Keras 3 writes `query_dense`: the tf.keras path of such a group.
    static func tfKerasPrivateSublayer(_ path: String) -> String? {
        for sublayer in ["query_dense", "key_dense", "value_dense", "output_dense"]
        where path.hasSuffix("/\(sublayer)/vars") {
            return String(path.dropLast("\(sublayer)/vars".count)) + "_\(sublayer)/vars"
        }
        return nil
    }

    /// A Keras 3 object path as tf.keras 2.13 stored it.
    static func checkpointDependenciesPath(_ path: String) -> String {
        path.replacingOccurrences(of: "layers", with: checkpointDependencies)
    }

    /// The layers of a legacy weights group that hold weights, in `layer_names` order, with their arrays.
    static func legacySaved(_ root: HDF5Group, limit: Int, file: String) throws -> [(String, [Tensor])] {
        let group = try root.readChunkedStringList("layer_names") != nil ? root : try root.group("model_weights")
        var saved: [(String, [Tensor])] = []
        for name in try group.readChunkedStringList("layer_names") ?? [] {
            let layerGroup = try group.group(name)
            let weightNames = try layerGroup.readChunkedStringList("weight_names") ?? []
            guard !weightNames.isEmpty else { continue }
            saved.append(
                (
                    name,
                    try weightNames.map { weightName in
                        try tensor(layerGroup.dataset(weightName), limit: limit, layer: name, file: file)
                    }
                ))
        }
        return saved
    }

    /// Legacy `.h5` (KERAS.md C.5): `layer_names` in order, each layer's `weight_names` datasets, paired
    /// by order with the model's layers that have weights.
    static func legacy(
        _ root: HDF5Group, model: Model, sources: [ModelConfig.Layer], configOrder: [String], file: String
    ) throws -> [Int: [Tensor]] {
        let saved = try legacySaved(root, limit: elementLimit(model), file: file)
        // Keras's model.layers order is the config's; pair the layers that have weights with the saved ones.
        let position = Dictionary(configOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let order = sources.indices.sorted { (position[sources[$0].name] ?? -1) < (position[sources[$1].name] ?? -1) }
        let targets = order.filter { !model.layers[$0].weightSlots.isEmpty }
        guard targets.count == saved.count else {
            throw KerasFormatError(
                .weightMismatch, file: file,
                reason:
                    "Layer count mismatch when loading weights from file. Model expected \(targets.count) layers with weights, found \(saved.count) saved layers (\(saved.map(\.0).joined(separator: ", ")))"
            )
        }
        var result: [Int: [Tensor]] = [:]
        for (target, (_, arrays)) in zip(targets, saved) {
            result[target] = try LegacyConversions.convert(arrays, for: model.layers[target], file: file)
        }
        return result
    }

    /// The most values one weight dataset of `model` can legitimately hold: twice every weight the model
    /// has (cuDNN files store two biases), plus a little. Datasets are compared with it before they are
    /// read, so that a file declaring gigabytes for a model that needs kilobytes costs nothing.
    static func elementLimit(_ model: Model) -> Int {
        var total = 0
        for layer in model.layers {
            for slot in layer.weightSlots {
                let (count, overflow) = Tensor.checkedCount(slot.shape)
                guard !overflow else { return Int.max }
                total = total.addingReportingOverflow(count).partialValue
            }
        }
        let doubled = total.multipliedReportingOverflow(by: 2)
        return doubled.overflow ? Int.max : doubled.partialValue.addingReportingOverflow(4096).partialValue
    }

    /// One weight dataset as a tensor, after checking its declared size against `limit`.
    static func tensor(_ dataset: HDF5Dataset, limit: Int, layer: String, file: String) throws -> Tensor {
        let info = try dataset.info()
        guard let count = Tensor.checkedCount(info.shape).overflow ? nil : info.elementCount, count <= limit else {
            throw KerasFormatError(
                .weightMismatch, file: file, layer: layer, slot: dataset.path,
                reason:
                    "\(dataset.path) declares shape \(info.shape), more values than the whole model has weights (at most \(limit)); nothing was read"
            )
        }
        let array = try dataset.read(as: Float.self)
        return Tensor(shape: array.shape, scalars: array.values)
    }
}
