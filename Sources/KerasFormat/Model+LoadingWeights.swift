import HDF5
import RecurrentLayers

/// Loading Keras weights into models built in Swift.
extension Model {
    /// Loads weights Keras wrote into this model, built in Swift, as Keras's `load_weights` does.
    ///
    /// - Legacy `.h5` (a full model or weights only, any Keras generation): by default the saved layers
    ///   with weights pair, in order, with this model's layers that have weights, in Keras's layer order;
    ///   with `byName` each layer takes the saved layer of its own name, and layers the file does not name
    ///   keep their weights (Keras's `by_name=True`).
    /// - Keras 3 `.weights.h5` and `.keras` (and sharded weights): by structure, each layer's variables at
    ///   the path Keras 3 gives a layer of its class and position (KERAS.md C.2); `byName` does not apply.
    ///
    /// ```swift
    /// var model = Model.sequential([.input(name: "signal", shape: [40, 1], batchSize: nil),
    ///                               .recurrent(RNN(cell: try LSTMCell(units: 16, inputSize: 1))),
    ///                               .feedForward(try Dense(units: 3, inputSize: 16, activation: .softmax))])
    /// try model.loadWeights(path: "waveforms.weights.h5")
    /// ```
    /// - Parameters:
    ///   - path: Any Keras weights file: legacy `.h5` (model or weights only), `.weights.h5`, `.keras`,
    ///     or a sharded weights set's `.weights.json`.
    ///   - byName: Pair layers by name (legacy `.h5` only), as Keras's `by_name=True`.
    ///   - skipMismatch: Leave a layer as it is when the file's weights for it differ in number or
    ///     shape (Keras's `skip_mismatch`), instead of failing.
    /// - Returns: The names of the layers left as they were because of `skipMismatch`.
    /// - Throws: `KerasFormatError.weightMismatch` naming the layer, the slot and both shapes (or counts),
    ///   `.unreadable` / `.unknownLayout` for a file that is not a Keras weights file.
    @discardableResult
    public mutating func loadWeights(path: String, byName: Bool = false, skipMismatch: Bool = false) throws -> [String]
    {
        let layout = try KerasLayout.detect(path: path)
        do {
            switch layout {
            case .legacyModel, .legacyWeights:
                let file = try HDF5File(opening: path)
                defer { file.close() }
                let saved = try WeightReaders.legacySaved(
                    file.root, limit: WeightReaders.elementLimit(self), file: path)
                return try loadLegacy(saved, byName: byName, skipMismatch: skipMismatch, file: path)
            case .kerasArchive, .kerasWeights, .shardedWeights:
                guard !byName else {
                    throw KerasFormatError(
                        .weightMismatch, file: path,
                        reason:
                            "Keras 3 weights files are matched by the model's structure; loading by name applies to legacy .h5 files"
                    )
                }
                return try loadKeras3(path: path, layout: layout, skipMismatch: skipMismatch)
            }
        } catch let error as HDF5Error {
            throw KerasFormatError(error)
        }
    }

    /// Legacy weights: `saved` is the file's layers with weights, in order, each with its arrays.
    mutating func loadLegacy(_ saved: [(String, [Tensor])], byName: Bool, skipMismatch: Bool, file: String) throws
        -> [String]
    {
        var pairs: [(Int, [Tensor])] = []
        if byName {
            let byLayer = Dictionary(saved, uniquingKeysWith: { first, _ in first })
            for index in layers.indices where !layers[index].weightSlots.isEmpty {
                if let arrays = byLayer[layers[index].name] { pairs.append((index, arrays)) }
            }
        } else {
            let order = Keras3Config.kerasOrder(self).filter { !layers[$0].weightSlots.isEmpty }
            guard order.count == saved.count else {
                throw KerasFormatError(
                    .weightMismatch, file: file,
                    reason:
                        "the file holds weights for \(saved.count) layers (\(saved.map(\.0).joined(separator: ", "))), the model has \(order.count) layers with weights (\(order.map { layers[$0].name }.joined(separator: ", "))); load by name to pair them by name"
                )
            }
            pairs = Array(zip(order, saved.map(\.1)))
        }
        var skipped: [String] = []
        for (index, arrays) in pairs {
            do {
                let converted = try LegacyConversions.convert(arrays, for: layers[index], file: file)
                try layers[index].setWeights(converted)
            } catch is RecurrentError where skipMismatch {
                skipped.append(layers[index].name)
            } catch let error as KerasFormatError where skipMismatch && error.code == .weightMismatch {
                skipped.append(layers[index].name)
            } catch let error as RecurrentError {
                throw KerasFormatError(.weightMismatch, file: file, error)
            }
        }
        return skipped
    }

    /// Keras 3 weights, read by the paths Keras 3 gives this model's layers.
    mutating func loadKeras3(path: String, layout: KerasLayout, skipMismatch: Bool) throws -> [String] {
        let named = try KerasModel.kerasNamed(self, file: path)
        var serializer = Keras3Config(
            KerasModel(
                model: named, layout: layout, kerasVersion: nil, backend: nil, config: .null, sources: [],
                kind: .functional), file: path)
        let (config, _) = try serializer.build()
        let parsed = try ModelConfig(config, file: path)
        let (built, sources) = try ModelBuilder(
            factory: LayerFactory(file: path, keras2: false, customObjects: CustomObjects().including(cellsOf: named))
        ).build(parsed)
        // Sequential or not only decides whether the InputLayer, which has no variables, is counted: no path
        // of a layer with variables depends on it.
        let sequential = false
        let read: [Int: [Tensor]]
        switch layout {
        case .shardedWeights:
            let shards = try ShardedWeights(path: path)
            read = try WeightReaders.keras3(model: built, sources: sources, sequential: sequential) {
                group, count, layer in
                try shards.variables(group, count: count, layer: layer, limit: WeightReaders.elementLimit(built))
            }
        case .kerasArchive:
            let archive = try KerasArchive(path: path, only: ["model.weights.h5"])
            let file = try HDF5File(image: try archive.require("model.weights.h5"), name: path + "/model.weights.h5")
            read = try WeightReaders.keras3(
                file.root, model: built, sources: sources, sequential: sequential, file: path)
        default:
            let file = try HDF5File(opening: path)
            defer { file.close() }
            read = try WeightReaders.keras3(
                file.root, model: built, sources: sources, sequential: sequential, file: path)
        }
        let index = Dictionary(
            named.layers.indices.map { (named.layers[$0].name, $0) }, uniquingKeysWith: { a, _ in a })
        var skipped: [String] = []
        for (builtIndex, tensors) in read {
            guard let target = index[built.layers[builtIndex].name] else { continue }
            do {
                try layers[target].setWeights(tensors)
            } catch let error as RecurrentError {
                guard skipMismatch else {
                    throw KerasFormatError(.weightMismatch, file: path, error)
                }
                skipped.append(layers[target].name)
            }
        }
        return skipped.sorted()
    }
}
