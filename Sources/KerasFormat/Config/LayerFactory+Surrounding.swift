import RecurrentLayers

/// The layers real models hold around their recurrent layers (issue 6): convolution and pooling on
/// sequences, shape plumbing, merges, normalization and inference-time identities.
extension LayerFactory {
    static let surroundingClasses: Set<String> = spatialClasses.union([
        "Conv1D", "Convolution1D", "MaxPooling1D", "MaxPool1D", "AveragePooling1D", "AvgPool1D",
        "GlobalMaxPooling1D", "GlobalMaxPool1D", "GlobalAveragePooling1D", "GlobalAvgPool1D", "Flatten", "Reshape",
        "Permute", "RepeatVector", "Cropping1D", "ZeroPadding1D", "Concatenate", "Add", "Subtract", "Multiply",
        "Average", "Maximum", "Minimum", "Dot", "BatchNormalization", "LayerNormalization", "SpatialDropout1D",
        "GaussianNoise", "GaussianDropout", "ActivityRegularization", "Attention", "AdditiveAttention", "Merge",
        "TimeDistributedDense",
    ])
    /// Class names Keras 3 also gives operation nodes (`x + 1` is an `Add` node with a constant).
    static let operationClasses: Set<String> = ["Add", "Subtract", "Multiply"]

    func surrounding(
        _ className: String, name: String, fields: Fields, inputShape: [Int?], inputShapes: [[Int?]]
    ) throws -> any FeedForwardLayer {
        switch className {
        case _ where Self.spatialClasses.contains(className):
            return try spatial(className, name: name, fields: fields, inputShape: inputShape, inputShapes: inputShapes)
        case "Conv1D", "Convolution1D":
            try fields.channelsLast()
            guard let kernelSize = try fields.int1D("kernel_size", orOld: "filter_length") else {
                throw fail(name, "the config has no 'kernel_size'")
            }
            return try Conv1D(
                filters: try fields.required("filters", orOld: "nb_filter"), kernelSize: kernelSize,
                channels: try fields.features(inputShape),
                stride: try fields.int1D("strides", orOld: "subsample_length") ?? 1,
                dilation: try fields.int1D("dilation_rate") ?? 1, groups: fields.int("groups") ?? 1,
                padding: try fields.padding(allowCausal: true), activation: try fields.activation("activation"),
                useBias: fields.bool("use_bias", fields.bool("bias", true)), name: name)
        case "MaxPooling1D", "MaxPool1D", "AveragePooling1D", "AvgPool1D":
            try fields.channelsLast()
            let poolSize = try fields.int1D("pool_size", orOld: "pool_length") ?? 2
            return try Pooling1D(
                className.hasPrefix("Max") ? .max : .average, poolSize: poolSize,
                stride: try fields.int1D("strides", orOld: "stride"), padding: try fields.padding(allowCausal: false),
                name: name)
        case "GlobalMaxPooling1D", "GlobalMaxPool1D", "GlobalAveragePooling1D", "GlobalAvgPool1D":
            try fields.channelsLast()
            return GlobalPooling1D(
                className.hasPrefix("GlobalMax") ? .max : .average, keepDims: fields.bool("keepdims", false),
                name: name)
        case "Flatten":
            try fields.channelsLast()
            return Flatten(name: name)
        case "Reshape":
            guard let target = try fields.ints("target_shape") else {
                throw fail(name, "the config has no 'target_shape'")
            }
            return try Reshape(targetShape: target, name: name)
        case "Permute":
            guard let dims = try fields.ints("dims") else { throw fail(name, "the config has no 'dims'") }
            return try Permute(dims: dims, name: name)
        case "RepeatVector":
            return RepeatVector(try fields.required("n"), name: name)
        case "Cropping1D":
            let (before, after) = try fields.pair("cropping", default: 1)
            return try Steps1D(.crop, before: before, after: after, name: name)
        case "ZeroPadding1D":
            let (before, after) = try fields.pair("padding", default: 1)
            return try Steps1D(.pad, before: before, after: after, name: name)
        case "Concatenate":
            return Concatenate(axis: fields.int("axis") ?? -1, name: name)
        case "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum":
            return Merge(Merge.Kind(rawValue: className.lowercased())!, name: name)
        case "Dot":
            guard let axes = try fields.ints("axes") else { throw fail(name, "the config has no 'axes'") }
            return try Dot(axes: axes, normalize: fields.bool("normalize", false), name: name)
        case "Merge":
            return try merge(name: name, fields: fields)
        case "TimeDistributedDense":
            // Keras 1's Dense applied at every step: TimeDistributed(Dense), same weights (W, b).
            let dense = try Dense(
                units: try fields.required("output_dim", orOld: "units"), inputSize: try fields.features(inputShape),
                activation: try fields.activation("activation"), useBias: fields.bool("bias", true),
                kernelInitializer: try fields.initializer("init", default: .glorotUniform),
                biasInitializer: try fields.initializer("bias_initializer", default: .zeros),
                seed: Self.seed(fields, name), name: name)
            return TimeDistributed(dense, name: name)
        case "Attention", "AdditiveAttention":
            let mode: Attention.ScoreMode
            if className == "AdditiveAttention" {
                mode = .additive
            } else {
                let spelled = fields.string("score_mode") ?? "dot"
                guard let parsed = Attention.ScoreMode(rawValue: spelled), parsed != .additive else {
                    throw fail(name, "score_mode must be 'dot' or 'concat', received '\(spelled)'")
                }
                mode = parsed
            }
            guard let dim = inputShapes.first?.last ?? nil else {
                throw fail(name, "the query's last dimension is unknown")
            }
            return try Attention(
                scoreMode: mode, useScale: fields.bool("use_scale", className == "AdditiveAttention"),
                dropout: Float(fields.double("dropout") ?? 0), causal: fields.bool("causal", false), dim: dim,
                name: name)
        case "BatchNormalization":
            if fields.bool("renorm", false) { throw fail(name, "batch renormalization (renorm) is not supported") }
            let axes = try fields.ints("axis") ?? [-1]
            guard axes.count == 1 else {
                throw fail(name, "BatchNormalization over several axes \(axes) is not supported")
            }
            let axis = axes[0] < 0 ? axes[0] + inputShape.count : axes[0]
            guard axis > 0, axis < inputShape.count, let size = inputShape[axis] else {
                throw fail(name, "axis \(axes[0]) of inputs \(inputShape) has no known size")
            }
            return BatchNormalization(
                size: size, axis: axes[0], epsilon: Float(fields.double("epsilon") ?? 1e-3),
                center: fields.bool("center", true), scale: fields.bool("scale", true), name: name)
        case "LayerNormalization":
            return try LayerNormalization(
                inputShape: inputShape, axes: try fields.ints("axis") ?? [-1],
                epsilon: Float(fields.double("epsilon") ?? 1e-3), center: fields.bool("center", true),
                scale: fields.bool("scale", true), rmsScaling: fields.bool("rms_scaling", false), name: name)
        case "SpatialDropout1D":
            return try NoiseLayer(
                .spatialDropout1D(rate: Float(fields.double("rate") ?? fields.double("p") ?? 0)), name: name)
        case "GaussianNoise":
            return try NoiseLayer(
                .gaussianNoise(stddev: Float(fields.double("stddev") ?? fields.double("sigma") ?? 0)), name: name)
        case "GaussianDropout":
            return try NoiseLayer(
                .gaussianDropout(rate: Float(fields.double("rate") ?? fields.double("p") ?? 0)), name: name)
        default:  // ActivityRegularization
            return try NoiseLayer(
                .activityRegularization(l1: Float(fields.double("l1") ?? 0), l2: Float(fields.double("l2") ?? 0)),
                name: name)
        }
    }

    /// Keras 1's `Merge` layer (`merge([a, b], mode=...)`) as the layer Keras 2 split it into: sum -> Add,
    /// mul -> Multiply, ave -> Average, max -> Maximum, concat -> Concatenate(concat_axis), dot ->
    /// Dot(dot_axes). `cos` and a Python function as the mode are refused (RNNKit runs no Python).
    func merge(name: String, fields: Fields) throws -> any FeedForwardLayer {
        if let type = fields.string("mode_type"), type != "raw" {
            throw fail(name, "its Merge mode is a Python function (mode_type '\(type)'), which RNNKit never runs")
        }
        guard let mode = fields.string("mode") else {
            throw fail(name, "its Merge mode is not one of sum, mul, ave, max, concat, dot")
        }
        switch mode {
        case "sum": return Merge(.add, name: name)
        case "mul": return Merge(.multiply, name: name)
        case "ave": return Merge(.average, name: name)
        case "max": return Merge(.maximum, name: name)
        case "concat": return Concatenate(axis: fields.int("concat_axis") ?? -1, name: name)
        case "dot":
            guard let axes = try fields.ints("dot_axes") else { throw fail(name, "a dot Merge without dot_axes") }
            return try Dot(axes: axes, name: name)
        default:
            throw fail(
                name, "Merge mode '\(mode)' has no Keras 2 layer; RNNKit reads sum, mul, ave, max, concat and dot")
        }
    }
}
