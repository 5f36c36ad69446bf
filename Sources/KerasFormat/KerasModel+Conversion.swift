import RecurrentLayers

extension KerasModel {
    /// The model as Keras 3 would hold it: a Keras 3 Functional config written from the model itself,
    /// layers rebuilt from that config with Keras 3's semantics, the same weights. `changes` lists what
    /// Keras 3 cannot express exactly (Keras 2's hard_sigmoid); the converted model computes with Keras
    /// 3's formulas, so its outputs show the difference.
    public func keras3Conversion() throws -> (model: KerasModel, changes: [String]) {
        if isKeras3Dialect { return (self, []) }
        var serializer = Keras3Config(self)
        let (config, _) = try serializer.build()
        let parsed = try ModelConfig(config, file: "converted")
        let (built, sources) = try ModelBuilder(factory: LayerFactory(file: "converted", keras2: false)).build(parsed)
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
        let (converted, changes) = try keras3Conversion()
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
