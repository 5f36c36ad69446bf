import Foundation
import RecurrentLayers

/// What differs between two models, of any layouts and generations: the layers (added, removed, renamed,
/// another class, options), the weights slot by slot, and the outputs on the same input. The check after
/// a conversion: do the two files compute the same function?
public struct ModelDiff: Sendable, Encodable {
    /// A layer present on one side only, renamed, or built with other options.
    public struct LayerChange: Sendable, Encodable {
        /// `added` (only in B), `removed` (only in A), `renamed`, `class` or `option`.
        public var kind: String
        /// The layer's name (in A, for a rename).
        public var layer: String
        /// What changed, in words.
        public var detail: String
    }

    /// One weight slot of a layer both models have.
    public struct WeightDifference: Sendable, Encodable {
        /// The layer's name.
        public var layer: String
        /// The slot's name (`kernel`, `recurrent_kernel`, ...).
        public var slot: String
        /// The slot's shape in A.
        public var shapeA: [Int]
        /// The slot's shape in B.
        public var shapeB: [Int]
        /// Largest `|a - b|` and largest `|a - b| / max(|a|, |b|)`; nil when the shapes differ.
        public var maxAbsolute: Double?
        /// Largest `|a - b| / max(|a|, |b|)`; nil when the shapes differ.
        public var maxRelative: Double?
        /// True when every value is bit for bit the same.
        public var identical: Bool
    }

    /// Model A's file.
    public var a: String
    /// Model B's file.
    public var b: String
    /// Layers added, removed, renamed or built differently.
    public var layers: [LayerChange]
    /// The slots that differ.
    public var weights: [WeightDifference]
    /// Slots compared and found identical (listed in `weights` only when they differ).
    public var identicalSlots: Int
    /// Largest `|a - b|` over every output on `probe`; nil when the outputs cannot be compared (their
    /// count or shapes differ, said in `outputProblem`).
    public var outputDifference: Double?
    /// Why the outputs cannot be compared, when they cannot.
    public var outputProblem: String?
    /// `seeded probe, batch 2, 8 timesteps`, or the input file.
    public var probe: String
    /// The largest difference still counted as the same (`--tolerance`).
    public var tolerance: Double
    /// True when no layer was added or removed (operation nodes aside), every weight is within `tolerance`
    /// and so is every output.
    public var same: Bool
}

extension KerasModel {
    /// Compares this model (A) with `other` (B): layers by name, weights slot by slot, outputs on `inputs`
    /// (or on A's seeded probe input).
    /// - Throws: `KerasFormatError` when a model cannot run on the input.
    public func difference(
        from other: KerasModel, inputs: [Tensor]? = nil, inputName: String? = nil, tolerance: Double = 1e-6
    ) throws -> ModelDiff {
        let (mine, theirs) = (summary, other.summary)
        var changes: [ModelDiff.LayerChange] = []
        let theirNames = Set(theirs.layers.map(\.name))
        let myNames = Set(mine.layers.map(\.name))
        var removed = mine.layers.filter { !theirNames.contains($0.name) }
        var added = theirs.layers.filter { !myNames.contains($0.name) }
        // A layer only in A and one only in B of the same class and weight shapes: renamed.
        var renamed: [String: String] = [:]
        for layer in removed {
            guard
                let index = added.firstIndex(where: {
                    $0.className == layer.className && $0.weights.map(\.shape) == layer.weights.map(\.shape)
                })
            else { continue }
            renamed[layer.name] = added[index].name
            changes.append(
                .init(kind: "renamed", layer: layer.name, detail: "'\(layer.name)' -> '\(added[index].name)'"))
            added.remove(at: index)
        }
        removed.removeAll { renamed[$0.name] != nil }
        // Operation nodes (no weights; a conversion may add some, such as an explicit mask) are listed, and
        // the outputs say whether they change anything.
        func operation(_ layer: ModelSummary.Layer) -> String { layer.options["operation"] != nil ? " operation" : "" }
        changes += removed.map {
            .init(kind: "removed", layer: $0.name, detail: "\($0.className)\(operation($0)), only in A")
        }
        changes += added.map {
            .init(kind: "added", layer: $0.name, detail: "\($0.className)\(operation($0)), only in B")
        }
        let pairs: [(ModelSummary.Layer, ModelSummary.Layer)] = mine.layers.compactMap { layer in
            let target = renamed[layer.name] ?? layer.name
            return theirs.layers.first { $0.name == target }.map { (layer, $0) }
        }
        for (left, right) in pairs {
            if left.className != right.className {
                changes.append(
                    .init(kind: "class", layer: left.name, detail: "\(left.className) -> \(right.className)"))
            }
            for key in Set(left.options.keys).union(right.options.keys).sorted()
            where left.options[key] != right.options[key] {
                changes.append(
                    .init(
                        kind: "option", layer: left.name,
                        detail: "\(key): \(left.options[key] ?? "(none)") -> \(right.options[key] ?? "(none)")"))
            }
        }

        var weights: [ModelDiff.WeightDifference] = []
        var identical = 0
        let myLayers = Dictionary(model.layers.map { ($0.name, $0) }) { first, _ in first }
        let theirLayers = Dictionary(other.model.layers.map { ($0.name, $0) }) { first, _ in first }
        var weightsWithin = true
        for (left, right) in pairs {
            guard let a = myLayers[left.name], let b = theirLayers[right.name] else { continue }
            let slots = max(a.weights.count, b.weights.count)
            for index in 0..<slots {
                let x = index < a.weights.count ? a.weights[index] : nil
                let y = index < b.weights.count ? b.weights[index] : nil
                let slotName =
                    index < a.weightSlots.count
                    ? a.weightSlots[index].name : index < b.weightSlots.count ? b.weightSlots[index].name : "\(index)"
                guard let x, let y, x.shape == y.shape else {
                    weightsWithin = false
                    weights.append(
                        .init(
                            layer: left.name, slot: slotName, shapeA: x?.shape ?? [], shapeB: y?.shape ?? [],
                            maxAbsolute: nil, maxRelative: nil, identical: false))
                    continue
                }
                var (absolute, relative) = (0.0, 0.0)
                for (p, q) in zip(x.scalars, y.scalars) where p != q || p.isNaN || q.isNaN {
                    let gap = Double(abs(p - q))
                    absolute = gap.isNaN ? .infinity : max(absolute, gap)
                    relative = max(relative, gap / Double(max(abs(p), abs(q), .leastNormalMagnitude)))
                }
                if absolute == 0 {
                    identical += 1
                    continue
                }
                if absolute > tolerance { weightsWithin = false }
                weights.append(
                    .init(
                        layer: left.name, slot: slotName, shapeA: x.shape, shapeB: y.shape, maxAbsolute: absolute,
                        maxRelative: relative, identical: false))
            }
        }

        let probe = try inputs ?? probeInputs(file: path)
        var outputDifference: Double?
        var outputProblem: String?
        var left = model
        var right = other.model
        try left.resetStates()
        try right.resetStates()
        let ours = try Self.outputs(of: &left, probe, file: path)
        let theirsOut: [Tensor]
        do {
            theirsOut = try right.call(probe)
        } catch let error as RecurrentError {
            theirsOut = []
            outputProblem = "B cannot run on A's input: \(error.message)"
        }
        if outputProblem != nil {
        } else if ours.count != theirsOut.count {
            outputProblem = "A has \(ours.count) outputs, B \(theirsOut.count)"
        } else if let index = ours.indices.first(where: { ours[$0].shape != theirsOut[$0].shape }) {
            outputProblem = "output \(index) has shape \(ours[index].shape) in A, \(theirsOut[index].shape) in B"
        } else {
            outputDifference = zip(ours, theirsOut).reduce(0.0) { worst, pair in
                zip(pair.0.scalars, pair.1.scalars).reduce(worst) { worst, values in
                    let gap = Double(abs(values.0 - values.1))
                    return gap.isNaN ? .infinity : max(worst, gap)
                }
            }
        }
        let batch = probe.first?.shape.first ?? 0
        let steps = probe.first.map { $0.shape.count > 1 ? $0.shape[1] : 1 } ?? 0
        let structural = changes.contains {
            ($0.kind == "added" || $0.kind == "removed") && !$0.detail.contains(" operation, only in")
        }
        return ModelDiff(
            a: path, b: other.path, layers: changes, weights: weights, identicalSlots: identical,
            outputDifference: outputDifference, outputProblem: outputProblem,
            probe: inputName ?? "seeded probe, batch \(batch), \(steps) timesteps", tolerance: tolerance,
            same: !structural && weightsWithin && (outputDifference.map { $0 <= tolerance } ?? false))
    }

    static func outputs(of model: inout Model, _ inputs: [Tensor], file: String) throws -> [Tensor] {
        do {
            return try model.call(inputs)
        } catch let error as RecurrentError {
            throw KerasFormatError(
                .unreadable, file: file, layer: error.layer,
                reason: "the model cannot run on the comparison input: \(error.message)", underlying: error)
        }
    }
}

extension ModelDiff: CustomStringConvertible {
    /// The report as text: the layers, the weights, the outputs and the verdict.
    public var description: String {
        var lines = ["A: \(TerminalText.escaped(a))", "B: \(TerminalText.escaped(b))"]
        if layers.isEmpty {
            lines.append("layers: the same names, classes and options")
        } else {
            lines.append("layers:")
            let marks = ["added": "+", "removed": "-"]
            lines += layers.map {
                "  \(marks[$0.kind] ?? "~") \(TerminalText.escaped($0.layer)): \($0.kind == "option" ? "" : "\($0.kind) ")"
                    + TerminalText.escaped($0.detail)
            }
        }
        if weights.isEmpty {
            lines.append("weights: \(identicalSlots) slots, all identical")
        } else {
            lines.append("weights: \(identicalSlots) slots identical, \(weights.count) differ:")
            for slot in weights {
                let where_ = "\(TerminalText.escaped(slot.layer))/\(TerminalText.escaped(slot.slot))"
                if let absolute = slot.maxAbsolute, let relative = slot.maxRelative {
                    lines.append(
                        "  ~ \(where_) \(slot.shapeA): largest difference \(Self.number(absolute)) (relative \(Self.number(relative)))"
                    )
                } else {
                    lines.append("  ~ \(where_): shape \(slot.shapeA) in A, \(slot.shapeB) in B")
                }
            }
        }
        if let outputDifference {
            lines.append("outputs: largest difference \(Self.number(outputDifference)) on the \(probe)")
        } else {
            lines.append("outputs: not comparable: \(outputProblem ?? "?")")
        }
        lines.append(
            same
                ? "same function (within \(Self.number(tolerance)))"
                : "the models differ (tolerance \(Self.number(tolerance)))")
        return lines.joined(separator: "\n")
    }

    static func number(_ value: Double) -> String {
        value == 0 ? "0" : value.isInfinite ? "inf" : String(format: "%.3g", value)
    }
}
