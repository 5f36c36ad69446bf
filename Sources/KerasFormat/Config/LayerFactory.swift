import RecurrentLayers

/// Builds layer-module layers from Keras layer configs, any generation's dialect.
struct LayerFactory {
    /// The file's name, for messages.
    var file: String
    /// Keras 1/2 files: hard_sigmoid means `0.2x + 0.5` (KERAS.md B.1).
    var keras2: Bool
    /// The user's own cells and layers, by Keras class name.
    var customObjects = CustomObjects()
    /// How many models this factory's layers are nested in (0 for the file's model).
    var depth = 0
    /// Fill the weights from the config's initializers (Keras's `from_config` and `build`), instead of
    /// leaving placeholders for a file's weights.
    var initializing = false

    func fail(_ layer: String, _ reason: String) -> KerasFormatError {
        KerasFormatError(.unreadable, file: file, layer: layer, reason: reason)
    }

    /// The tensor-only operation nodes Keras 3 writes for masks (those with a constant are read below).
    func operation(_ className: String, name: String, fields: Fields) throws -> ModelOperation? {
        switch className {
        case "LogicalOr": return .logicalOr
        case "LogicalAnd": return .logicalAnd
        case "LogicalNot": return .logicalNot
        case "ExpandDims": return .expandDims(axis: fields.int("axis") ?? -1)
        case "ZerosLike": return .zerosLike
        case "OnesLike": return .onesLike
        case "ConvertToTensor":
            // Attention's output mask (its compute_mask returns convert_to_tensor(query_mask)).
            if fields.bool("sparse", false) || fields.bool("ragged", false) {
                throw fail(name, "sparse and ragged tensors are not supported")
            }
            return .cast(toBool: fields.string("dtype") == "bool")
        case "Concatenate": return .concatenate(axis: fields.int("axis") ?? 0)
        case "Any", "All":
            guard let axes = try fields.ints("axis"), axes.count == 1 else {
                throw fail(name, "the operation \(className) is supported over one axis only")
            }
            let keepDims = fields.bool("keepdims", false)
            return className == "Any"
                ? .any(axis: axes[0], keepDims: keepDims) : .all(axis: axes[0], keepDims: keepDims)
        default: return nil
        }
    }

    /// The classes Keras calls on a list of tensors.
    static let listClasses: Set<String> = [
        "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot", "Attention",
        "AdditiveAttention", "Merge", "MultiHeadAttention",
    ]

    /// The layer for `className` with `config`, whose (first) input has `inputShape` (batch first);
    /// `inputShapes` are every input's, for layers called on a list.
    /// - Returns: the layer and the shapes of its outputs.
    /// `operation`: the entry is a Keras 3 operation node (module `keras.src.ops.*`), whose class names
    /// can be layers' too (`Concatenate`, `Add`).
    func make(
        _ className: String, name: String, config: JSONObject, constants: [JSONValue], inputShape: [Int?],
        inputShapes: [[Int?]] = [], operation: Bool = false, constantFirst: Bool = false
    ) throws -> (ModelLayer, [[Int?]]) {
        let (layer, shapes) = try makeLayer(
            className, name: name, config: config, constants: constants, inputShape: inputShape,
            inputShapes: inputShapes, operation: operation, constantFirst: constantFirst)
        guard initializing, case .feedForward(let made) = layer else { return (layer, shapes) }
        return (
            .feedForward(
                try initialized(made, className: className, fields: Fields(config: config, layer: name, factory: self))),
            shapes
        )
    }

    private func makeLayer(
        _ className: String, name: String, config: JSONObject, constants: [JSONValue], inputShape: [Int?],
        inputShapes: [[Int?]] = [], operation: Bool = false, constantFirst: Bool = false
    ) throws -> (ModelLayer, [[Int?]]) {
        let fields = Fields(config: config, layer: name, factory: self)
        if operation, let made = try self.operation(className, name: name, fields: fields) {
            return (.operation(name: name, made), [made.outputShape(inputShapes.isEmpty ? [inputShape] : inputShapes)])
        }
        switch className {
        case "InputLayer":
            let batchShape =
                try fields.shape("batch_shape") ?? fields.shape("batch_input_shape")
                ?? (try fields.shape("shape")).map { [fields.int("batch_size")] + $0 }
            guard let batchShape, !batchShape.isEmpty else {
                throw fail(name, "an InputLayer without batch_shape or shape")
            }
            return (.input(name: name, shape: Array(batchShape.dropFirst()), batchSize: batchShape[0]), [batchShape])
        case "Sequential", "Functional", "Model":
            let layer = try nestedModel(className, name: name, config: config, inputShape: inputShape)
            return (.feedForward(layer), [layer.outputShape(inputShape: inputShape)])
        case "SimpleRNN", "LSTM", "GRU", "RNN", "CuDNNLSTM", "CuDNNGRU", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D":
            let layer = try recurrent(className, name: name, fields: fields, inputShape: inputShape)
            return (.recurrent(layer), layer.outputShapes(inputShape: inputShape))
        case "Bidirectional":
            guard let inner = config["layer"], let innerClass = inner["class_name"]?.stringValue else {
                throw fail(name, "a Bidirectional layer without its wrapped layer")
            }
            let innerFields = Fields(config: inner["config"]?.objectValue ?? JSONObject(), layer: name, factory: self)
            let forward = try recurrent(
                innerClass, name: innerFields.string("name") ?? name, fields: innerFields, inputShape: inputShape)
            var backward: RNN?
            if let backwardEntry = config["backward_layer"],
                let backwardClass = backwardEntry["class_name"]?.stringValue
            {
                let backwardFields = Fields(
                    config: backwardEntry["config"]?.objectValue ?? JSONObject(), layer: name, factory: self)
                backward = try recurrent(
                    backwardClass, name: backwardFields.string("name") ?? "backward", fields: backwardFields,
                    inputShape: inputShape)
            }
            let modeName = config["merge_mode"]?.stringValue
            let mode = try modeName.map { mode -> Bidirectional.MergeMode in
                guard let parsed = Bidirectional.MergeMode(rawValue: mode) else {
                    throw fail(name, "unknown merge_mode '\(mode)'")
                }
                return parsed
            }
            var forwardCopy = forward
            if let base = forward.name.split(separator: "_", maxSplits: 1).last, forward.name.hasPrefix("forward_") {
                forwardCopy.name = String(base)
            }
            do {
                var layer = try Bidirectional(
                    forwardCopy, mergeMode: mode, backwardLayer: backward, name: name, togglingGoBackwards: keras2)
                if keras2, Self.convLSTMClasses.contains(innerClass) {
                    // tf.keras's ConvRNN never passes zero_output_for_mask to its loop: masked steps carry the
                    // previous output even where Bidirectional sets the flag.
                    layer.forward.zeroOutputForMask = false
                    layer.backward.zeroOutputForMask = false
                }
                // Keras 3's unrolled loop (JAX, numpy) ignores the zero_output_for_mask Bidirectional sets;
                // tf.keras's zeroes the backward layer's outputs at the unreversed mask's positions.
                if !keras2, layer.forward.unroll { layer.forward.zeroOutputForMask = false }
                if !keras2, layer.backward.unroll { layer.backward.zeroOutputForMask = false }
                if keras2 {
                    layer.forward.zeroesUnreversedMaskPositions = layer.forward.unroll && layer.forward.goBackwards
                    layer.backward.zeroesUnreversedMaskPositions = layer.backward.unroll && layer.backward.goBackwards
                }
                return (.bidirectional(layer), layer.outputShapes(inputShape: inputShape))
            } catch let error as RecurrentError {
                throw fail(name, error.message)
            }
        case "TimeDistributed":
            guard let inner = config["layer"], let innerClass = inner["class_name"]?.stringValue else {
                throw fail(name, "a TimeDistributed layer without its wrapped layer")
            }
            let stepShape = [inputShape.first ?? nil] + inputShape.dropFirst(2)
            let (made, _) = try make(
                innerClass, name: inner["config"]?["name"]?.stringValue ?? name,
                config: inner["config"]?.objectValue ?? JSONObject(),
                constants: [], inputShape: stepShape)
            guard case .feedForward(let step) = made else {
                throw fail(name, "TimeDistributed over a \(innerClass) is not supported")
            }
            let layer = TimeDistributed(step, name: name)
            return (.feedForward(layer), [layer.outputShape(inputShape: inputShape)])
        case "Dense":
            let layer = try Dense(
                units: try fields.required("units", orOld: "output_dim"), inputSize: try fields.features(inputShape),
                activation: try fields.activation("activation"),
                useBias: fields.bool("use_bias", fields.bool("bias", true)),
                kernelInitializer: try fields.initializer("kernel_initializer", orOld: "init", default: .glorotUniform),
                biasInitializer: try fields.initializer("bias_initializer", default: .zeros),
                seed: Self.seed(fields, name),
                rules: CellRules(
                    kernelRegularizer: try fields.regularizer("kernel_regularizer"),
                    biasRegularizer: try fields.regularizer("bias_regularizer"),
                    kernelConstraint: try fields.constraint("kernel_constraint"),
                    biasConstraint: try fields.constraint("bias_constraint")), name: name)
            return (.feedForward(layer), [layer.outputShape(inputShape: inputShape)])
        case "Embedding":
            let layer = try Embedding(
                inputDim: try fields.required("input_dim"), outputDim: try fields.required("output_dim"),
                maskZero: fields.bool("mask_zero", false),
                initializer: try fields.initializer("embeddings_initializer", orOld: "init", default: .randomUniform()),
                seed: Self.seed(fields, name), name: name)
            return (.feedForward(layer), [layer.outputShape(inputShape: inputShape)])
        case "Masking":
            return (.feedForward(Masking(maskValue: Float(fields.double("mask_value") ?? 0), name: name)), [inputShape])
        case "Dropout":
            let rate = Float(fields.double("rate") ?? fields.double("p") ?? 0)
            do {
                return (
                    .feedForward(try Dropout(rate: rate, seed: UInt64(max(0, fields.int("seed") ?? 0)), name: name)),
                    [inputShape]
                )
            } catch let error as RecurrentError {
                throw fail(name, error.message)
            }
        case "Activation":
            return (.feedForward(ActivationLayer(try fields.activation("activation"), name: name)), [inputShape])
        case _
        where Self.surroundingClasses.contains(className)
            && !(Self.operationClasses.contains(className) && !constants.isEmpty):
            do {
                let layer = try surrounding(
                    className, name: name, fields: fields, inputShape: inputShape,
                    inputShapes: inputShapes.isEmpty ? [inputShape] : inputShapes)
                return (
                    .feedForward(layer),
                    [layer.outputShape(inputShapes: inputShapes.isEmpty ? [inputShape] : inputShapes)]
                )
            } catch let error as RecurrentError {
                throw fail(name, error.message)
            }
        case "NotEqual", "Equal", "Greater", "GreaterEqual", "Less", "LessEqual", "Add", "Subtract", "Multiply",
            "Divide":
            guard let value = constants.first?.doubleValue else {
                throw fail(name, "the operation \(className) is supported between a tensor and a number only")
            }
            let scalar = Float(value)
            // A constant first (`Greater(1.0, x)`) flips a comparison and reverses a subtraction or division.
            let operation: ModelOperation =
                switch (className, constantFirst) {
                case ("NotEqual", _): .notEqual(scalar)
                case ("Equal", _): .equal(scalar)
                case ("Greater", false), ("Less", true): .greater(scalar)
                case ("GreaterEqual", false), ("LessEqual", true): .greaterEqual(scalar)
                case ("Less", false), ("Greater", true): .less(scalar)
                case ("LessEqual", false), ("GreaterEqual", true): .lessEqual(scalar)
                case ("Add", _): .add(scalar)
                case ("Subtract", false): .subtract(scalar)
                case ("Subtract", true): .constantMinus(scalar)
                case ("Multiply", _): .multiply(scalar)
                case (_, false): .divide(scalar)
                case (_, true): .constantOver(scalar)
                }
            return (.operation(name: name, operation), [inputShape])
        case "Cast":
            return (.operation(name: name, .cast(toBool: fields.string("dtype") == "bool")), [inputShape])
        case _ where customObjects.layer(className: className, registeredName: nil) != nil:
            let made = try customObjects.layer(className: className, registeredName: nil)!(config, inputShape)
            return (.feedForward(made), [made.outputShape(inputShape: inputShape)])
        case "Lambda":
            throw KerasFormatError(
                .unsupportedLayer, file: file, layer: name,
                reason: "a Lambda layer holds Python code, which RNNKit never runs")
        default:
            throw KerasFormatError(
                .unsupportedLayer, file: file, layer: name,
                reason: "the class \(className) is not one RNNKit supports")
        }
    }

    /// SimpleRNN / LSTM / GRU (a layer over its own cell) or RNN over a cell config.
    func recurrent(_ className: String, name: String, fields: Fields, inputShape: [Int?]) throws -> RNN {
        if Self.convLSTMClasses.contains(className) {
            return try convLSTM(className, name: name, fields: fields, inputShape: inputShape)
        }
        let features = try fields.features(inputShape)
        let cell: any RecurrentCell
        switch className {
        case "SimpleRNN", "LSTM", "GRU":
            cell = try self.cell(className + "Cell", fields: fields, inputSize: features, layer: name)
        case "CuDNNLSTM":
            // cuDNN's LSTM: fixed tanh/sigmoid; its weights are converted on load (KERAS.md C.7).
            let initializers = try fields.cellInitializers()
            cell = try LSTMCell(
                units: try fields.required("units"), inputSize: features,
                kernelInitializer: initializers.kernel, recurrentInitializer: initializers.recurrent,
                biasInitializer: initializers.bias, name: "cu_dnnlstm_cell")
        case "CuDNNGRU":
            cell = try GRUCell(
                units: try fields.required("units"), inputSize: features, resetAfter: true, name: "cu_dnngru_cell")
        case "RNN":
            guard let cellEntry = fields.config["cell"], let cellClass = cellEntry["class_name"]?.stringValue else {
                throw fail(name, "an RNN layer without a cell config")
            }
            cell = try self.cell(
                cellClass,
                fields: Fields(config: cellEntry["config"]?.objectValue ?? JSONObject(), layer: name, factory: self),
                inputSize: features, layer: name)
        default:
            throw fail(name, "\(className) is not a recurrent layer")
        }
        let batch = inputShape.first ?? nil
        var layer = RNN(
            cell: cell, returnSequences: fields.bool("return_sequences", false),
            returnState: fields.bool("return_state", false),
            goBackwards: fields.bool("go_backwards", false), stateful: fields.bool("stateful", false),
            unroll: fields.bool("unroll", false),
            // Keras 3's unrolled loop (JAX, numpy) ignores zero_output_for_mask: masked steps carry the
            // previous output (KERAS.md A.5).
            zeroOutputForMask: fields.bool("zero_output_for_mask", false) && (keras2 || !fields.bool("unroll", false)),
            timeMajor: fields.bool("time_major", false), batchSize: batch, name: name)
        layer.activityRegularizer = try fields.regularizer("activity_regularizer")
        layer.zeroesUnreversedMaskPositions = keras2 && layer.unroll && layer.goBackwards && layer.zeroOutputForMask
        return layer
    }

    /// A cell from its class name and config; `StackedRNNCells` recurses into its `cells`.
    func cell(_ className: String, fields: Fields, inputSize: Int, layer: String, registeredName: String? = nil) throws
        -> any RecurrentCell
    {
        if let make = customObjects.cell(className: className, registeredName: registeredName) {
            return try make(fields.config, inputSize)
        }
        let units = { try fields.required("units", orOld: "output_dim") }
        let rules = CellRules(
            kernelRegularizer: try fields.regularizer("kernel_regularizer"),
            recurrentRegularizer: try fields.regularizer("recurrent_regularizer"),
            biasRegularizer: try fields.regularizer("bias_regularizer"),
            kernelConstraint: try fields.constraint("kernel_constraint"),
            recurrentConstraint: try fields.constraint("recurrent_constraint"),
            biasConstraint: try fields.constraint("bias_constraint"))
        let initializers = try fields.cellInitializers()
        let dropout = Float(fields.double("dropout") ?? 0)
        let recurrentDropout = Float(fields.double("recurrent_dropout") ?? 0)
        let seed = fields.int("seed").map { UInt64(max(0, $0)) }
        let cellName = fields.string("name") ?? className
        switch className {
        case "SimpleRNNCell":
            return try SimpleRNNCell(
                units: try units(), inputSize: inputSize,
                activation: try fields.activation("activation", default: "tanh"),
                useBias: fields.bool("use_bias", true),
                kernelInitializer: initializers.kernel, recurrentInitializer: initializers.recurrent,
                biasInitializer: initializers.bias,
                dropout: dropout,
                recurrentDropout: recurrentDropout, seed: seed, rules: rules, name: cellName)
        case "LSTMCell":
            return try LSTMCell(
                units: try units(), inputSize: inputSize,
                activation: try fields.activation("activation", default: "tanh"),
                recurrentActivation: try fields.activation(
                    "recurrent_activation", default: keras2 ? "hard_sigmoid" : "sigmoid", orOld: "inner_activation"),
                useBias: fields.bool("use_bias", true), unitForgetBias: fields.bool("unit_forget_bias", true),
                kernelInitializer: initializers.kernel, recurrentInitializer: initializers.recurrent,
                biasInitializer: initializers.bias, dropout: dropout,
                recurrentDropout: recurrentDropout, seed: seed,
                rules: rules,
                implementation: fields.int("implementation") ?? 2, name: cellName)
        case "GRUCell":
            return try GRUCell(
                units: try units(), inputSize: inputSize,
                activation: try fields.activation("activation", default: "tanh"),
                recurrentActivation: try fields.activation(
                    "recurrent_activation", default: keras2 ? "hard_sigmoid" : "sigmoid", orOld: "inner_activation"),
                useBias: fields.bool("use_bias", true), resetAfter: fields.bool("reset_after", !keras2),
                kernelInitializer: initializers.kernel, recurrentInitializer: initializers.recurrent,
                biasInitializer: initializers.bias,
                dropout: dropout,
                recurrentDropout: recurrentDropout, seed: seed,
                rules: rules, implementation: fields.int("implementation") ?? 2, name: cellName)
        case "StackedRNNCells":
            var width = inputSize
            var cells: [any RecurrentCell] = []
            for entry in fields.config["cells"]?.arrayValue ?? [] {
                guard let cellClass = entry["class_name"]?.stringValue else {
                    throw fail(layer, "a stacked cell without class_name")
                }
                let made = try cell(
                    cellClass,
                    fields: Fields(config: entry["config"]?.objectValue ?? JSONObject(), layer: layer, factory: self),
                    inputSize: width, layer: layer)
                width = made.outputSize
                cells.append(made)
            }
            guard !cells.isEmpty else { throw fail(layer, "StackedRNNCells without cells") }
            return StackedRNNCells(cells, name: cellName)
        default:
            throw KerasFormatError(
                .unsupportedLayer, file: file, layer: layer,
                reason: "the cell class \(className) is not one RNNKit supports")
        }
    }
}

extension LayerFactory {
    /// How deep models may nest in models (a file nesting deeper is refused, not followed).
    static let nestingLimit = 8

    /// A Sequential or Functional model used as a layer (issue 16): its config is a whole model config,
    /// built like the outer one. A nested Sequential without an input layer of its own (tf.keras inside
    /// `TimeDistributed`, say) takes the shape it is called on.
    func nestedModel(_ className: String, name: String, config: JSONObject, inputShape: [Int?]) throws -> NestedModel {
        guard depth < Self.nestingLimit else {
            throw fail(name, "models nest deeper than \(Self.nestingLimit) levels")
        }
        let inner = try ModelConfig(
            .object(JSONObject([("class_name", .string(className)), ("config", .object(config))])), file: file)
        var factory = self
        factory.depth += 1
        let (model, _, outputShapes) = try ModelBuilder(factory: factory).build(inner, inputShape: inputShape)
        do {
            return try NestedModel(model, outputShape: outputShapes.first ?? [])
        } catch let error as RecurrentError {
            throw fail(name, error.message)
        }
    }
}
