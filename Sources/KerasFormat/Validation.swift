import Foundation
import HDF5
import RecurrentLayers

/// One thing validation found, naming the file, the layer and the slot it concerns.
public struct Finding: Sendable, Encodable, CustomStringConvertible {
    /// How much a finding matters.
    public enum Severity: String, Sendable, Encodable {
        /// The file cannot be used as it is.
        case error
        /// Worth knowing, but inference is unaffected.
        case warning
    }

    /// Error or warning.
    public var severity: Severity
    /// The file the finding is about.
    public var file: String
    /// The layer, when the finding is about one.
    public var layer: String?
    /// The weight slot, when the finding is about one.
    public var slot: String?
    /// What is wrong, in one sentence.
    public var message: String

    /// `error: file: layer 'name' slot 'slot': message`, as `rnnkit validate` prints it.
    public var description: String {
        var place = file
        if let layer { place += ": layer '\(layer)'" }
        if let slot { place += " slot '\(slot)'" }
        return TerminalText.escaped("\(severity.rawValue): \(place): \(message)")
    }
}

/// Checks a Keras file and collects every finding (not just the first): layers RNNKit cannot build,
/// weights that are missing, unused, of the wrong count or shape, or not finite, and options that only
/// matter in training.
public enum Validation {
    /// The classes the layer factory builds (besides registered custom objects and Keras 3 operations).
    static let supportedClasses: Set<String> = Set([
        "InputLayer", "SimpleRNN", "LSTM", "GRU", "RNN", "CuDNNLSTM", "CuDNNGRU", "ConvLSTM1D", "ConvLSTM2D",
        "ConvLSTM3D", "Bidirectional", "TimeDistributed",
        "Dense",
        "Embedding", "Masking", "Dropout", "Activation",
    ]).union(LayerFactory.surroundingClasses).union(ModelConfig.modelClasses)

    /// Every finding for the file at `path` (with `configPath` for weights-only files).
    public static func validate(path: String, configPath: String? = nil, customObjects: CustomObjects = CustomObjects())
        -> [Finding]
    {
        func error(_ message: String, layer: String? = nil, slot: String? = nil) -> Finding {
            Finding(severity: .error, file: path, layer: layer, slot: slot, message: message)
        }
        // 1. The config's layers, one by one, so that every unsupported one is named.
        var findings: [Finding] = []
        do {
            if let config = try configJSON(path: path, configPath: configPath) {
                findings += schemaFindings(config, file: path, version: try? fileVersion(path))
                let parsed = try ModelConfig(config, file: path)
                for layer in parsed.layers {
                    findings += classFindings(layer, file: path, customObjects: customObjects)
                }
            }
        } catch let problem as KerasFormatError {
            return [error(problem.reason, layer: problem.layer, slot: problem.slot)]
        } catch {
            return [Finding(severity: .error, file: path, message: "\(error)")]
        }
        guard !findings.contains(where: { $0.severity == .error }) else { return findings }

        // 2. The model with its weights: build it, then check every slot against the file.
        let loaded: KerasModel
        do {
            loaded = try KerasModel.load(path: path, configPath: configPath, customObjects: customObjects)
        } catch let problem as KerasFormatError {
            return findings
                + weightFindings(path: path, configPath: configPath, customObjects: customObjects, fallback: problem)
        } catch {
            return findings + [Finding(severity: .error, file: path, message: "\(error)")]
        }
        for layer in loaded.model.layers {
            for (slot, tensor) in zip(layer.weightSlots, layer.weights) {
                let bad = tensor.scalars.filter { !$0.isFinite }.count
                if bad > 0 {
                    findings.append(
                        error(
                            "\(bad) of \(tensor.count) values are not finite (NaN or infinity)", layer: layer.name,
                            slot: slot.name))
                }
            }
            findings += optionWarnings(layer, file: path)
        }
        findings += unusedWeights(loaded, path: path)
        if loaded.layout == .kerasArchive || loaded.layout == .kerasWeights, (try? hasWindowsPaths(path)) == true {
            findings.append(windowsSeparators(path))
        }
        // 3. Everything `run` would trip on that the shapes alone do not show (a kernel made for another
        // input width, a graph that indexes outputs a layer does not have): one forward pass on a probe.
        do {
            var probed = loaded.model
            _ = try probed.call(try loaded.probeInputs(batch: 1, timesteps: 3, file: path))
        } catch let problem as KerasFormatError {
            findings.append(error("the model cannot run: \(problem.reason)", layer: problem.layer, slot: problem.slot))
        } catch let problem as RecurrentError {
            findings.append(
                error(
                    "the model cannot run on an input of its declared shape: \(problem.message)", layer: problem.layer,
                    slot: problem.slot))
        } catch let problem {
            findings.append(error("the model cannot run on an input of its declared shape: \(problem)"))
        }
        return findings
    }

    /// The layers of the file's config RNNKit cannot build (classes it does not implement, Lambda layers,
    /// unregistered custom cells), one finding each; empty when every layer is supported or the file has
    /// no readable config.
    public static func unsupportedLayers(
        path: String, configPath: String? = nil, customObjects: CustomObjects = CustomObjects()
    ) -> [Finding] {
        guard let config = try? configJSON(path: path, configPath: configPath),
            let parsed = try? ModelConfig(config, file: path)
        else { return [] }
        return parsed.layers.flatMap { classFindings($0, file: path, customObjects: customObjects) }
    }

    /// A Keras 3 config checked against Schemas/model.schema.json; each violation named with its layer.
    /// (Keras 1/2 configs are not in Keras 3 form; the schemas do not apply to them.)
    static func schemaFindings(_ config: JSONValue, file: String, version: String?) -> [Finding] {
        // Keras 3 by the file's own version; for a bare JSON, by Keras 3's DTypePolicy objects.
        let keras3 = version.map { $0.hasPrefix("3.") } ?? config.jsonText.contains("\"class_name\": \"DTypePolicy\"")
        guard keras3, let validator = try? SchemaValidator() else { return [] }
        let layers = config["config"]?["layers"]?.arrayValue ?? []
        return validator.validate(config, against: "model.schema.json").map { violation in
            var layer: String?
            if let range = violation.path.range(of: #"^config\.layers\[(\d+)\]"#, options: .regularExpression) {
                let index = Int(violation.path[range].filter(\.isNumber)) ?? -1
                layer =
                    layers.indices.contains(index)
                    ? layers[index]["config"]?["name"]?.stringValue ?? layers[index]["name"]?.stringValue : nil
            }
            return Finding(
                severity: .error, file: file, layer: layer,
                message:
                    "the config breaks Schemas/model.schema.json at \(violation.path.isEmpty ? "the top" : violation.path): \(violation.message)"
            )
        }
    }

    /// The Keras version the file records (a weights-only file's, or nil when it records none).
    static func fileVersion(_ path: String) throws -> String? {
        switch try KerasLayout.detect(path: path) {
        case .kerasArchive:
            return
                (try? KerasArchive(path: path, only: ["metadata.json"]).member("metadata.json").map {
                    try JSONValue.parse($0)
                })??[
                    "keras_version"]?.stringValue
        case .legacyModel, .legacyWeights, .kerasWeights:
            do {
                let file = try HDF5File(opening: path)
                defer { file.close() }
                return try KerasModel.attribute(file.root, "keras_version")
            } catch let problem as HDF5Error {
                throw KerasFormatError(problem)
            }
        case .shardedWeights:
            return nil
        }
    }

    static func configJSON(path: String, configPath: String?) throws -> JSONValue? {
        if let configPath { return try KerasModel.readConfig(configPath) }
        switch try KerasLayout.detect(path: path) {
        case .kerasArchive:
            return try KerasModel.parseJSON(
                try KerasArchive(path: path, only: ["config.json"]).require("config.json"), file: path)
        case .legacyModel:
            do {
                let root = try HDF5File(opening: path).root
                return try KerasModel.parseJSON(Array(try root.readString("model_config").utf8), file: path)
            } catch let problem as HDF5Error {
                throw KerasFormatError(problem)
            }
        case .kerasWeights, .legacyWeights, .shardedWeights:
            throw KerasFormatError(
                .configRequired, file: path,
                reason: "it is a weights-only file; give the model's JSON (model.to_json()) with --config")
        }
    }

    /// Unsupported classes, Lambda layers, unknown cells: one finding each.
    static func classFindings(_ layer: ModelConfig.Layer, file: String, customObjects: CustomObjects) -> [Finding] {
        let className = layer.className
        if className == "Lambda" {
            return [
                Finding(
                    severity: .error, file: file, layer: layer.name,
                    message: "a Lambda layer holds Python code, which RNNKit never runs")
            ]
        }
        let known =
            supportedClasses.contains(className) || WeightReaders.operationClasses.contains(className)
            || customObjects.layer(className: className, registeredName: layer.entry["registered_name"]?.stringValue)
                != nil
        guard known else {
            return [
                Finding(
                    severity: .error, file: file, layer: layer.name,
                    message: "the class \(className) is not one RNNKit supports")
            ]
        }
        // A model used as a layer (or wrapped in TimeDistributed): its own layers, named `outer/inner`.
        let wrapped = layer.config["layer"].flatMap { inner -> (String, JSONObject)? in
            guard let innerClass = inner["class_name"]?.stringValue, ModelConfig.modelClasses.contains(innerClass),
                let innerConfig = inner["config"]?.objectValue
            else { return nil }
            return (innerClass, innerConfig)
        }
        if let (innerClass, innerConfig) = ModelConfig.modelClasses.contains(className)
            ? (className, layer.config) : wrapped
        {
            let whole = JSONValue.object(
                JSONObject([("class_name", .string(innerClass)), ("config", .object(innerConfig))]))
            guard let nested = try? ModelConfig(whole, file: file) else { return [] }
            return nested.layers.flatMap { inner in
                classFindings(inner, file: file, customObjects: customObjects).map { finding in
                    var named = finding
                    named.layer = "\(layer.name)/\(finding.layer ?? inner.name)"
                    return named
                }
            }
        }
        var cells: [JSONValue] = []
        if let cell = layer.config["cell"] {
            cells =
                cell["class_name"]?.stringValue == "StackedRNNCells"
                ? cell["config"]?["cells"]?.arrayValue ?? [] : [cell]
        }
        if let inner = layer.config["layer"], let innerCell = inner["config"]?["cell"] { cells.append(innerCell) }
        return cells.compactMap { cell in
            guard let name = cell["class_name"]?.stringValue,
                !["SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"].contains(name),
                customObjects.cell(className: name, registeredName: cell["registered_name"]?.stringValue) == nil
            else { return nil }
            return Finding(
                severity: .error, file: file, layer: layer.name,
                message: "the cell class \(name) is not one RNNKit supports; register it as a custom object")
        }
    }

    /// Options that do not change inference.
    static func optionWarnings(_ layer: ModelLayer, file: String) -> [Finding] {
        func warn(_ message: String) -> Finding {
            Finding(severity: .warning, file: file, layer: layer.name, message: message)
        }
        var cells: [any RecurrentCell] = []
        switch layer {
        case .recurrent(let rnn): cells = [rnn.cell]
        case .bidirectional(let wrapper): cells = [wrapper.forward.cell]
        default: return []
        }
        cells = cells.flatMap { ($0 as? StackedRNNCells)?.cells ?? [$0] }
        var findings: [Finding] = []
        for cell in cells.compactMap({ $0 as? any BuiltInCell }) {
            if cell.dropout > 0 || cell.recurrentDropout > 0 {
                findings.append(
                    warn(
                        "dropout \(cell.dropout) / recurrent_dropout \(cell.recurrentDropout) apply in training only; inference never drops"
                    ))
            }
            if cell.rules != CellRules() {
                findings.append(warn("regularizers and constraints apply in training only"))
            }
        }
        return findings
    }

    /// When the model cannot take its weights: every group, count and slot that does not fit, read from
    /// the file directly (the loader stops at the first).
    /// The warning for a Keras 3 weights file whose groups tf.keras on Windows named with backslashes.
    static func windowsSeparators(_ path: String) -> Finding {
        Finding(
            severity: .warning, file: path,
            message:
                "the weight groups are named with Windows separators (tf.keras on Windows joined their paths with backslashes), which Keras does not load; RNNKit reads them as the same structure, and convert writes the standard form"
        )
    }

    /// Whether the `.keras` archive or `.weights.h5` at `path` has weight groups named with backslashes.
    static func hasWindowsPaths(_ path: String) throws -> Bool {
        if try KerasLayout.detect(path: path) == .kerasArchive {
            let archive = try KerasArchive.model(path: path)
            let file = try HDF5File(image: try archive.require("model.weights.h5"), name: path)
            return try WeightReaders.hasWindowsPaths(file.root)
        }
        let file = try HDF5File(opening: path)
        defer { file.close() }
        return try WeightReaders.hasWindowsPaths(file.root)
    }

    static func weightFindings(
        path: String, configPath: String?, customObjects: CustomObjects, fallback: KerasFormatError
    ) -> [Finding] {
        let fallbackFinding = Finding(
            severity: .error, file: path, layer: fallback.layer, slot: fallback.slot, message: fallback.reason)
        do {
            let layout = try KerasLayout.detect(path: path)
            guard let config = try configJSON(path: path, configPath: configPath) else { return [fallbackFinding] }
            let file: HDF5File
            let version: String?
            if layout == .kerasArchive {
                let archive = try KerasArchive.model(path: path, customObjects: customObjects)
                file = try HDF5File(image: try archive.require("model.weights.h5"), name: path)
                version =
                    (try? archive.member("metadata.json").map { try JSONValue.parse($0) })??["keras_version"]?
                    .stringValue
            } else {
                file = try HDF5File(opening: path)
                version = try KerasModel.attribute(file.root, "keras_version") ?? (layout == .kerasWeights ? nil : "1")
            }
            let (model, sources, kind) = try KerasModel.build(
                config: config, file: path, version: version, customObjects: customObjects)
            var findings: [Finding] = []
            func check(_ tensors: [(String, [Int])], against slots: [WeightSlot], layer: String, place: String) {
                if tensors.count != slots.count {
                    findings.append(
                        Finding(
                            severity: .error, file: path, layer: layer,
                            message:
                                "\(place) holds \(tensors.count) weights, the layer expects \(slots.count) (\(slots.map(\.name).joined(separator: ", ")))"
                        ))
                }
                for ((name, shape), slot) in zip(tensors, slots) where shape != slot.shape {
                    findings.append(
                        Finding(
                            severity: .error, file: path, layer: layer, slot: slot.name,
                            message: "\(name) has shape \(shape), the layer needs \(slot.shape)"))
                }
            }
            if layout == .kerasArchive || layout == .kerasWeights {
                if try WeightReaders.hasWindowsPaths(file.root) { findings.append(windowsSeparators(path)) }
                for (index, _, groups) in try WeightReaders.keras3Paths(
                    model: model, sources: sources, sequential: kind == .sequential)
                {
                    var slots = model.layers[index].weightSlots[...]
                    for var group in groups {
                        let groupSlots = Array(slots.prefix(group.count))
                        slots = slots.dropFirst(group.count)
                        group.path = try WeightReaders.resolve(file.root, group.path)
                        guard try file.root.kind(of: group.path) == .group else {
                            findings.append(
                                Finding(
                                    severity: .error, file: path, layer: model.layers[index].name,
                                    message:
                                        "the weights file has no /\(group.path) (\(groupSlots.map(\.name).joined(separator: ", ")) missing)"
                                ))
                            continue
                        }
                        let names = try file.root.group(group.path).children().filter { $0.kind == .dataset }.map(
                            \.name
                        ).sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }
                        let tensors = try names.map {
                            ("/\(group.path)/\($0)", try file.root.dataset("\(group.path)/\($0)").info().shape)
                        }
                        check(tensors, against: groupSlots, layer: model.layers[index].name, place: "/\(group.path)")
                    }
                }
            } else {
                let saved = try WeightReaders.legacySaved(
                    file.root, limit: WeightReaders.elementLimit(model), file: path)
                let targets = model.layers.indices.filter { !model.layers[$0].weightSlots.isEmpty }
                if targets.count != saved.count {
                    findings.append(
                        Finding(
                            severity: .error, file: path,
                            message:
                                "the model has \(targets.count) layers with weights, the file \(saved.count) (\(saved.map(\.0).joined(separator: ", ")))"
                        ))
                }
                for (target, (name, arrays)) in zip(targets, saved) {
                    let converted =
                        (try? LegacyConversions.convert(arrays, for: model.layers[target], file: path)) ?? arrays
                    check(
                        converted.map { ("\(name)/\($0.shape)", $0.shape) }, against: model.layers[target].weightSlots,
                        layer: model.layers[target].name, place: "the file's layer '\(name)'")
                }
            }
            return findings.isEmpty ? [fallbackFinding] : findings
        } catch {
            return [fallbackFinding]
        }
    }

    /// Datasets in a Keras 3 weights tree that no layer reads.
    static func unusedWeights(_ loaded: KerasModel, path: String) -> [Finding] {
        guard loaded.layout == .kerasWeights || loaded.layout == .kerasArchive else { return [] }
        do {
            let file: HDF5File =
                loaded.layout == .kerasArchive
                ? try HDF5File(image: try KerasArchive.model(path: path).require("model.weights.h5"), name: path)
                : try HDF5File(opening: path)
            let expected = Set(
                try WeightReaders.keras3Paths(
                    model: loaded.model, sources: loaded.sources, sequential: loaded.kind == .sequential
                )
                .flatMap { $0.groups.flatMap { group in (0..<group.count).map { "/\(group.path)/\($0)" } } })
            var top = "layers"
            var expectedPaths = expected
            if try file.root.kind(of: top) != .group {
                // A tf.keras 2.13 archive: the layers live under _layer_checkpoint_dependencies.
                top = WeightReaders.checkpointDependencies
                expectedPaths = Set(expected.map(WeightReaders.checkpointDependenciesPath))
            }
            guard try file.root.kind(of: top) == .group else { return [] }
            return try file.root.group(top).visit().filter { $0.kind == .dataset && !expectedPaths.contains($0.path) }
                .map { entry in
                    Finding(
                        severity: .error, file: path,
                        message: "the weights file holds \(entry.path), which no layer uses")
                }
        } catch {
            return []
        }
    }
}
