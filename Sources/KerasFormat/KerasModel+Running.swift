import RecurrentLayers

/// Running a loaded model on NumPy arrays: the inputs it declares, and one forward pass over arrays matched
/// to them.
extension KerasModel {
    /// The model's inputs: names and shapes (batch first; nil where any size is accepted).
    public var inputs: [(name: String, shape: [Int?])] {
        model.inputs.map { reference in
            let layer = model.layers[model.nodes[reference.node].layer]
            if case .input(let name, let shape, let batch) = layer { return (name, [batch] + shape) }
            return (layer.name, [])
        }
    }

    /// A shape as Python prints it: `(8,)`, `(None, 40, 1)`.
    static func pythonTuple(_ parts: [String]) -> String {
        parts.count == 1 ? "(\(parts[0]),)" : "(" + parts.joined(separator: ", ") + ")"
    }

    /// One forward pass over arrays read from `file`: matched to the model's inputs by key (`input_0`,
    /// `input_1`, ... in model order, or the inputs' names), checked for dtype and shape.
    /// - Throws: `KerasFormatError.unreadable` naming the file and the input: missing or extra arrays,
    ///   unsupported dtypes, shapes that do not fit.
    public mutating func run(_ arrays: [(key: String, array: NumPyArray)], file: String) throws -> [Tensor] {
        let tensors = try inputTensors(arrays, file: file)
        do {
            return try model.call(tensors)
        } catch let error as RecurrentError {
            // The arrays fit the model's declared inputs, so the model is at fault (a kernel made for
            // another width, say): name the model file, and the input it failed on.
            throw KerasFormatError(
                .unreadable, file: path.isEmpty ? file : path, layer: error.layer,
                reason: "the model cannot run on the arrays of \(file): \(error.message)", underlying: error)
        }
    }

    /// The arrays read from `file` as the model's input tensors: matched by key (`input_0`, `input_1`, ...
    /// in model order, or the inputs' names), checked for dtype and shape.
    public func inputTensors(_ arrays: [(key: String, array: NumPyArray)], file: String) throws -> [Tensor] {
        let expected = inputs
        var byKey = Dictionary(arrays.map { ($0.key, $0.array) }, uniquingKeysWith: { first, _ in first })
        var tensors: [Tensor] = []
        for (index, input) in expected.enumerated() {
            guard
                let array = byKey.removeValue(forKey: "input_\(index)") ?? byKey.removeValue(forKey: input.name)
                    ?? (expected.count == 1 && arrays.count == 1 ? arrays[0].array : nil)
            else {
                throw KerasFormatError(
                    .unreadable, file: file,
                    reason:
                        "no array for the model's input \(index) '\(input.name)' (give input_\(index) or \(input.name); found \(arrays.map(\.key).joined(separator: ", ")))"
                )
            }
            let kind = array.dtype.dropFirst().first ?? "?"
            guard "fiub".contains(kind) else {
                throw KerasFormatError(
                    .unreadable, file: file,
                    reason: "input '\(input.name)' has dtype \(array.dtype); give float32, float64 or integer arrays")
            }
            let fits =
                array.shape.count == input.shape.count
                && zip(array.shape, input.shape).allSatisfy { $1 == nil || $0 == $1 }
            guard fits else {
                let wanted = Self.pythonTuple(input.shape.map { $0.map(String.init) ?? "None" })
                let given = Self.pythonTuple(array.shape.map(String.init))
                throw KerasFormatError(
                    .unreadable, file: file,
                    reason: "input '\(input.name)' expects shape \(wanted), the array has shape \(given)")
            }
            tensors.append(array.tensor)
        }
        if expected.count > 1, let extra = byKey.keys.sorted().first {
            throw KerasFormatError(
                .unreadable, file: file,
                reason:
                    "the array '\(extra)' matches none of the model's inputs (\(expected.map(\.name).joined(separator: ", ")))"
            )
        }
        return tensors
    }
}

extension KerasModel {
    /// One forward pass with plain arrays, for the common model of one input and one output: `values` in
    /// row-major order of `shape` (batch first). Token ids are given as floats.
    ///
    /// ```swift
    /// var model = try KerasModel.load(path: "Examples/waveforms.keras")
    /// let (probabilities, shape) = try model.predict(signal, shape: [1, 40, 1])   // shape [1, 3]
    /// ```
    /// - Throws: `KerasFormatError` when the model has several inputs or outputs, when `values` does not
    ///   fill `shape`, or when the shape does not fit the model's input.
    public mutating func predict(_ values: [Float], shape: [Int]) throws -> (values: [Float], shape: [Int]) {
        let name = path.isEmpty ? model.name : path
        guard inputs.count == 1, model.outputs.count == 1 else {
            throw KerasFormatError(
                .unsupportedLayer, file: name,
                reason:
                    "predict takes models of one input and one output; this one has \(inputs.count) and \(model.outputs.count): use run or model.call"
            )
        }
        let (count, overflow) = Tensor.checkedCount(shape)
        guard !overflow, count == values.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw KerasFormatError(
                .unreadable, file: name, reason: "\(values.count) values do not fill the shape \(shape)")
        }
        let array = NumPyArray(tensor: Tensor(shape: shape, scalars: values))
        let output = try run([(key: "input_0", array: array)], file: "the values given to predict")[0]
        return (output.scalars, output.shape)
    }
}
