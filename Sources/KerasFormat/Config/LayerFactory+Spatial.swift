import RecurrentLayers

/// The 2D and 3D layers of image and video models around recurrent layers (issue 16): Conv2D/3D, their
/// pooling and global pooling, from Keras 3, tf.keras and Keras 1/2 configs (`nb_filter`, `nb_row`,
/// `nb_col`, `subsample`, `border_mode`, `dim_ordering`).
extension LayerFactory {
    static let spatialClasses: Set<String> = [
        "Conv2D", "Convolution2D", "Conv3D", "Convolution3D", "MaxPooling2D", "MaxPool2D", "MaxPooling3D",
        "MaxPool3D", "AveragePooling2D", "AvgPool2D", "AveragePooling3D", "AvgPool3D", "GlobalMaxPooling2D",
        "GlobalMaxPool2D", "GlobalMaxPooling3D", "GlobalMaxPool3D", "GlobalAveragePooling2D", "GlobalAvgPool2D",
        "GlobalAveragePooling3D", "GlobalAvgPool3D", "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding2D",
        "ZeroPadding3D", "Cropping2D", "Cropping3D", "SpatialDropout2D", "SpatialDropout3D", "ReLU", "LeakyReLU",
        "PReLU", "ELU", "Softmax", "Rescaling", "Normalization", "MultiHeadAttention", "DepthwiseConv1D",
        "DepthwiseConv2D", "SeparableConv1D", "SeparableConvolution1D", "SeparableConv2D", "SeparableConvolution2D",
        "Conv1DTranspose", "Convolution1DTranspose", "Conv2DTranspose", "Convolution2DTranspose", "Conv3DTranspose",
        "Convolution3DTranspose",
    ]

    /// The number of spatial dimensions a class name says (`Conv2D` 2, `MaxPool3D` 3, `UpSampling1D` 1).
    static func spatialRank(_ className: String) -> Int {
        className.contains("3D") ? 3 : className.contains("1D") ? 1 : 2
    }

    func spatial(_ className: String, name: String, fields: Fields, inputShape: [Int?], inputShapes: [[Int?]]) throws
        -> any FeedForwardLayer
    {
        if className == "MultiHeadAttention" {
            return try multiHeadAttention(name: name, fields: fields, inputShapes: inputShapes)
        }
        let rank = Self.spatialRank(className)
        let channelsFirst = try fields.channelsFirst()
        let kind: Pooling1D.Kind = className.contains("Max") ? .max : .average
        switch className {
        case "Conv2D", "Convolution2D", "Conv3D", "Convolution3D":
            guard inputShape.count == rank + 2, let channels = (channelsFirst ? inputShape[1] : inputShape.last) ?? nil
            else {
                throw fail(
                    name,
                    "\(className) takes inputs of rank \(rank + 2) with known channels; its input shape is \(Self.spelled(inputShape))"
                )
            }
            guard let filters = fields.int("filters") ?? fields.int("nb_filter") else {
                throw fail(name, "the config has no 'filters'")
            }
            let old = rank == 2 ? ["nb_row", "nb_col"] : ["kernel_dim1", "kernel_dim2", "kernel_dim3"]
            guard let kernelSize = try fields.tuple("kernel_size", rank: rank, old: old, default: nil) else {
                throw fail(name, "the config has no 'kernel_size'")
            }
            return try Convolution(
                filters: filters, kernelSize: kernelSize, channels: channels,
                strides: try fields.tuple("strides", rank: rank, old: ["subsample"], default: 1),
                dilation: try fields.tuple("dilation_rate", rank: rank, default: 1), groups: fields.int("groups") ?? 1,
                padding: try fields.padding(allowCausal: false), channelsFirst: channelsFirst,
                activation: try fields.activation("activation"),
                useBias: fields.bool("use_bias", fields.bool("bias", true)), name: name)
        case "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConvolution1D", "SeparableConv2D",
            "SeparableConvolution2D":
            guard inputShape.count == rank + 2, let channels = (channelsFirst ? inputShape[1] : inputShape.last) ?? nil
            else {
                throw fail(
                    name,
                    "\(className) takes inputs of rank \(rank + 2) with known channels; its input shape is \(Self.spelled(inputShape))"
                )
            }
            guard let kernelSize = try fields.tuple("kernel_size", rank: rank, default: nil) else {
                throw fail(name, "the config has no 'kernel_size'")
            }
            let strides = try fields.tuple("strides", rank: rank, default: 1)
            let dilation = try fields.tuple("dilation_rate", rank: rank, default: 1)
            let padding = try fields.padding(allowCausal: false)
            let useBias = fields.bool("use_bias", true)
            let activation = try fields.activation("activation")
            let depthMultiplier = fields.int("depth_multiplier") ?? 1
            if className.hasPrefix("Depthwise") {
                return try DepthwiseConvolution(
                    depthMultiplier: depthMultiplier, kernelSize: kernelSize, channels: channels, strides: strides,
                    dilation: dilation, padding: padding, channelsFirst: channelsFirst, activation: activation,
                    useBias: useBias, name: name)
            }
            guard let filters = fields.int("filters") else { throw fail(name, "the config has no 'filters'") }
            return try SeparableConvolution(
                filters: filters, kernelSize: kernelSize, channels: channels, depthMultiplier: depthMultiplier,
                strides: strides, dilation: dilation, padding: padding, channelsFirst: channelsFirst,
                activation: activation, useBias: useBias, name: name)
        case "Conv1DTranspose", "Convolution1DTranspose", "Conv2DTranspose", "Convolution2DTranspose",
            "Conv3DTranspose", "Convolution3DTranspose":
            guard inputShape.count == rank + 2, let channels = (channelsFirst ? inputShape[1] : inputShape.last) ?? nil
            else {
                throw fail(
                    name,
                    "\(className) takes inputs of rank \(rank + 2) with known channels; its input shape is \(Self.spelled(inputShape))"
                )
            }
            guard let filters = fields.int("filters") else { throw fail(name, "the config has no 'filters'") }
            guard let kernelSize = try fields.tuple("kernel_size", rank: rank, default: nil) else {
                throw fail(name, "the config has no 'kernel_size'")
            }
            return try ConvolutionTranspose(
                filters: filters, kernelSize: kernelSize, channels: channels,
                strides: try fields.tuple("strides", rank: rank, default: 1),
                dilation: try fields.tuple("dilation_rate", rank: rank, default: 1),
                padding: try fields.padding(allowCausal: false),
                outputPadding: try fields.tuple("output_padding", rank: rank, default: nil),
                channelsFirst: channelsFirst, activation: try fields.activation("activation"),
                useBias: fields.bool("use_bias", true), name: name)
        case "MaxPooling2D", "MaxPool2D", "MaxPooling3D", "MaxPool3D", "AveragePooling2D", "AvgPool2D",
            "AveragePooling3D", "AvgPool3D":
            let poolSize = try fields.tuple("pool_size", rank: rank, default: 2) ?? []
            return try Pooling(
                kind, poolSize: poolSize, strides: try fields.tuple("strides", rank: rank, default: nil),
                padding: try fields.padding(allowCausal: false), channelsFirst: channelsFirst, name: name)
        case "UpSampling1D", "UpSampling2D", "UpSampling3D":
            let interpolation = fields.string("interpolation") ?? "nearest"
            guard interpolation == "nearest" || (interpolation == "bilinear" && rank == 2) else {
                throw fail(
                    name,
                    "interpolation '\(interpolation)' is not supported; RNNKit upsamples with 'nearest' or 'bilinear'")
            }
            let size = try fields.tuple("size", rank: rank, old: rank == 1 ? ["length"] : [], default: 2) ?? []
            var layer = try UpSampling(size: size, channelsFirst: rank > 1 && channelsFirst, name: name)
            layer.bilinear = interpolation == "bilinear"
            return layer
        case "ZeroPadding2D", "ZeroPadding3D", "Cropping2D", "Cropping3D":
            let crop = className.hasPrefix("Cropping")
            let amounts = try border(fields, key: crop ? "cropping" : "padding", rank: rank, name: name)
            return try Border(crop ? .crop : .pad, amounts: amounts, channelsFirst: channelsFirst, name: name)
        case "SpatialDropout2D", "SpatialDropout3D":
            return try NoiseLayer(
                .spatialDropout(rate: Float(fields.double("rate") ?? 0), rank: rank, channelsFirst: channelsFirst),
                seed: UInt64(max(0, fields.int("seed") ?? 0)), name: name)
        case "ReLU", "LeakyReLU":
            var layer = try ReLULayer(
                maxValue: fields.double("max_value").map(Float.init),
                negativeSlope: Float(
                    fields.double("negative_slope") ?? fields.double("alpha") ?? (className == "LeakyReLU" ? 0.3 : 0)),
                threshold: Float(fields.double("threshold") ?? 0), name: name)
            layer.leaky = className == "LeakyReLU"
            return layer
        case "ELU":
            return ELU(alpha: Float(fields.double("alpha") ?? 1), name: name)
        case "PReLU":
            let shape = Array(inputShape.dropFirst())
            guard shape.allSatisfy({ $0 != nil }) else {
                throw fail(
                    name, "PReLU needs a fully known input shape; its input shape is \(Self.spelled(inputShape))")
            }
            return try PReLU(
                inputShape: shape.compactMap { $0 }, sharedAxes: try fields.ints("shared_axes") ?? [], name: name)
        case "Softmax":
            let axes = try fields.ints("axis") ?? [-1]
            guard axes.count == 1 else {
                throw fail(name, "a softmax over several axes (\(axes)) is not supported; RNNKit takes one axis")
            }
            return Softmax(axis: axes[0], name: name)
        case "Rescaling":
            return try Rescaling(
                scale: try numbers(fields, "scale", 1), offset: try numbers(fields, "offset", 0), name: name)
        case "Normalization":
            let axes = try fields.ints("axis") ?? [-1]
            guard axes.count == 1 else {
                throw fail(name, "normalizing over several axes (\(axes)) is not supported; RNNKit normalizes one")
            }
            let axis = axes[0] < 0 ? inputShape.count + axes[0] : axes[0]
            guard inputShape.indices.contains(axis), axis > 0, let size = inputShape[axis] else {
                throw fail(name, "axis \(axes[0]) of its input \(Self.spelled(inputShape)) is not a known axis")
            }
            let mean = fields.config["mean"].flatMap { $0.isNull ? nil : $0 }
            let variance = fields.config["variance"].flatMap { $0.isNull ? nil : $0 }
            return try Normalization(
                axis: axes[0], size: size, mean: try mean.map { try statistics($0, "mean", name: name) },
                variance: try variance.map { try statistics($0, "variance", name: name) },
                invert: fields.bool("invert", false), name: name)
        default:
            return try GlobalPooling(
                kind, rank: rank, keepDims: fields.bool("keepdims", false), channelsFirst: channelsFirst, name: name)
        }
    }

    /// Keras's MultiHeadAttention over sequences or grids (`attention_axes`), with Keras 3.15's `use_gate` and
    /// `sliding_window`.
    private func multiHeadAttention(name: String, fields: Fields, inputShapes: [[Int?]]) throws -> any FeedForwardLayer
    {
        let rank = inputShapes.first?.count ?? 0
        guard inputShapes.count >= 2, rank >= 3, inputShapes.allSatisfy({ $0.count == rank && $0[rank - 1] != nil })
        else {
            throw fail(
                name,
                "MultiHeadAttention takes a query and a value of one rank (3 or more) with known features; its inputs are \(inputShapes.map(Self.spelled))"
            )
        }
        let axes = try fields.ints("attention_axes")
        var window: Int?
        if let value = fields.config["sliding_window"], !value.isNull {
            guard let size = value.intValue, size > 0 else {
                throw fail(
                    name, "sliding_window must be null or a positive integer, found \(value.jsonText.prefix(40))")
            }
            window = size
        }
        guard let heads = fields.int("num_heads"), let keyDim = fields.int("key_dim") else {
            throw fail(name, "the config has no 'num_heads' or 'key_dim'")
        }
        let output = try fields.ints("output_shape")
        guard (output?.count ?? 1) == 1 else {
            throw fail(name, "output_shape \(output ?? []) is not supported; RNNKit takes one output size")
        }
        var layer = try MultiHeadAttention(
            numHeads: heads, keyDim: keyDim, valueDim: fields.int("value_dim"), queryDim: inputShapes[0][rank - 1]!,
            valueInputDim: inputShapes[1][rank - 1]!,
            keyInputDim: inputShapes.count > 2 ? inputShapes[2][rank - 1] : nil, outputDimension: output?.first,
            useBias: fields.bool("use_bias", true), useGate: fields.bool("use_gate", false), slidingWindow: window,
            dropout: Float(fields.double("dropout") ?? 0),
            seed: UInt64(max(0, fields.int("seed") ?? 0)), name: name)
        layer.attentionAxes = axes
        do {
            _ = try layer.resolvedAxes(rank: rank)
        } catch let error as RecurrentError {
            throw fail(name, error.message)
        }
        return layer
    }

    /// ZeroPadding's and Cropping's amounts: one integer (every side), one per axis (both sides), or a
    /// `(before, after)` pair per axis.
    private func border(_ fields: Fields, key: String, rank: Int, name: String) throws -> [(before: Int, after: Int)] {
        guard let value = fields.config[key], !value.isNull else { return Array(repeating: (1, 1), count: rank) }
        if let single = value.intValue { return Array(repeating: (single, single), count: rank) }
        guard let items = value.arrayValue, items.count == rank else {
            throw fail(name, "'\(key)' must be one integer or \(rank) entries, found \(value.jsonText.prefix(80))")
        }
        return try items.map { item in
            if let single = item.intValue { return (single, single) }
            guard let pair = item.arrayValue?.compactMap(\.intValue), pair.count == 2 else {
                throw fail(name, "'\(key)' entries must be integers or pairs, found \(item.jsonText.prefix(80))")
            }
            return (pair[0], pair[1])
        }
    }

    /// A number or a list of numbers (Rescaling's `scale` and `offset`).
    private func numbers(_ fields: Fields, _ key: String, _ fallback: Float) throws -> [Float] {
        guard let value = fields.config[key], !value.isNull else { return [fallback] }
        if let number = value.doubleValue { return [Float(number)] }
        guard let items = value.arrayValue?.compactMap(\.doubleValue), !items.isEmpty else {
            throw fail(fields.layer, "'\(key)' must be a number or a list of numbers")
        }
        return items.map(Float.init)
    }

    /// Normalization's `mean` or `variance`: a number or a (nested) list of numbers, flattened.
    private func statistics(_ value: JSONValue, _ key: String, name: String) throws -> [Float] {
        if let number = value.doubleValue { return [Float(number)] }
        guard let items = value.arrayValue else { throw fail(name, "'\(key)' must be a number or a list of numbers") }
        return try items.flatMap { try statistics($0, key, name: name) }
    }
}
