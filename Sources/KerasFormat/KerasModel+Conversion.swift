import RecurrentLayers

extension KerasModel {
    /// The model as Keras 3 would hold it: a Keras 3 Functional config written from the model itself,
    /// layers rebuilt from that config with Keras 3's semantics, the same weights. `changes` lists what
    /// Keras 3 cannot express exactly (Keras 2's hard_sigmoid); the converted model computes with Keras
    /// 3's formulas, so its outputs show the difference.
    /// - Parameter file: the file named in errors, normally the Keras 3 file about to be written.
    /// - Throws: `KerasFormatError.unsupportedLayer` when Keras 3 has no form for a layer at all (a
    ///   time-major layer, a cell that is not built in).
    public func keras3Conversion(file: String) throws -> (model: KerasModel, changes: [String]) {
        if isKeras3Dialect { return (self, []) }
        var serializer = Keras3Config(self, file: file)
        let (config, _) = try serializer.build()
        let parsed = try ModelConfig(config, file: file)
        let (built, sources) = try ModelBuilder(factory: LayerFactory(file: file, keras2: false)).build(parsed)
        var converted = built
        for index in converted.layers.indices where !converted.layers[index].weightSlots.isEmpty {
            try converted.layers[index].setWeights(model.layers[index].weights)
        }
        let result = KerasModel(
            model: converted, layout: layout, kerasVersion: Self.targetKerasVersion, backend: backend, config: config,
            sources: sources,
            kind: .functional)
        return (result, serializer.changes)
    }

    /// The model to write in a Keras 3 layout: this one, or its conversion when it came from Keras 1/2.
    /// - Throws: `KerasFormatError.unsupportedLayer` listing the changes when the conversion is not exact
    ///   and `acceptingChanges` is false.
    func keras3Target(acceptingChanges: Bool, file: String) throws -> KerasModel {
        let (converted, changes) = try keras3Conversion(file: file)
        guard changes.isEmpty || acceptingChanges else {
            throw KerasFormatError(
                .unsupportedLayer, file: file,
                reason:
                    "Keras 3 cannot express this model exactly: \(changes.joined(separator: "; ")); accept the change to write it anyway"
            )
        }
        return converted
    }
}

/// What converting a model to Keras 3 changes, measured.
public struct ConversionReport: Sendable {
    /// The Keras 3 model to write: the conversion, or the model itself when it already is Keras 3.
    /// Writing it does not convert again.
    public var model: KerasModel
    /// One sentence per change Keras 3 cannot express exactly; empty for an exact conversion.
    public var changes: [String]
    /// The largest absolute difference between the original and the converted model's outputs on a
    /// probe input (zero for an exact conversion).
    public var largestDifference: Float
}

extension KerasModel {
    /// Runs the model and its Keras 3 conversion on the same seeded probe input and reports the largest
    /// output difference: token ids within the vocabulary for an Embedding's input, normal values
    /// otherwise; unknown batch and time dimensions become 2 and 8.
    /// - Parameter file: the file named in errors, normally the Keras 3 file about to be written.
    public func measureConversion(file: String) throws -> ConversionReport {
        let (converted, changes) = try keras3Conversion(file: file)
        guard !changes.isEmpty else { return ConversionReport(model: converted, changes: [], largestDifference: 0) }
        var generator = SeededGenerator(seed: 7)
        let vocabularies = Dictionary(
            model.nodes.compactMap { node -> (Int, Int)? in
                guard case .feedForward(let layer) = model.layers[node.layer], let embedding = layer as? Embedding,
                    let input = node.inputs.first?.node
                else { return nil }
                return (input, embedding.inputDim)
            }, uniquingKeysWith: { first, _ in first })
        let probe = inputs.enumerated().map { position, input -> Tensor in
            let shape = input.shape.enumerated().map { axis, dim in dim ?? (axis == 0 ? 2 : 8) }
            let count = shape.reduce(1, *)
            if let vocabulary = vocabularies[model.inputs[position].node] {
                return Tensor(
                    shape: shape,
                    scalars: (0..<count).map { _ in Float(1 + Int(generator.next() % UInt64(max(1, vocabulary - 1)))) })
            }
            return Tensor(
                shape: shape, scalars: (0..<count).map { _ in 2 * Float(Double(generator.next() % 10_000) / 5_000 - 1) }
            )
        }
        // Probe copies: stateful layers carry state across calls, and the returned model must not.
        var original = model
        var probed = converted.model
        let before = try original.call(probe)
        let after = try probed.call(probe)
        let difference =
            zip(before, after).map { a, b in zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
        return ConversionReport(model: converted, changes: changes, largestDifference: difference)
    }
}
