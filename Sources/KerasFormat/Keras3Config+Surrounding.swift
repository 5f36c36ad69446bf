import RecurrentLayers

/// The layers around the RNN (issue 6) in Keras 3's config form, written from the layers themselves, so
/// that an older model holding them becomes a `.keras` archive Keras 3 builds with the same math.
extension Keras3Config {
    static func ints(_ values: [Int]) -> JSONValue { .array(values.map { .int(Int64($0)) }) }
    static func int(_ value: Int) -> JSONValue { .int(Int64(value)) }
    static func float(_ value: Float) -> JSONValue { .double(Double(value)) }
    static func dataFormat(_ channelsFirst: Bool) -> (String, JSONValue) {
        ("data_format", .string(channelsFirst ? "channels_first" : "channels_last"))
    }

    /// The class name and Keras 3 config fields of a surrounding layer; nil for other layers.
    mutating func surrounding(_ layer: any FeedForwardLayer) -> (String, [(String, JSONValue)])? {
        let channelsLast: (String, JSONValue) = ("data_format", .string("channels_last"))
        switch layer {
        case let conv as Conv1D:
            return (
                "Conv1D",
                [
                    ("filters", Self.int(conv.filters)), ("kernel_size", Self.ints([conv.kernelSize])),
                    ("strides", Self.ints([conv.stride])), ("padding", .string(conv.padding.rawValue)), channelsLast,
                    ("dilation_rate", Self.ints([conv.dilation])), ("groups", Self.int(conv.groups)),
                    ("activation", activation(conv.activation, in: conv.name)), ("use_bias", .bool(conv.useBias)),
                ]
            )
        case let conv as Convolution:
            return (
                "Conv\(conv.rank)D",
                [
                    ("filters", Self.int(conv.filters)), ("kernel_size", Self.ints(conv.kernelSize)),
                    ("strides", Self.ints(conv.strides)), ("padding", .string(conv.padding.rawValue)),
                    Self.dataFormat(conv.channelsFirst), ("dilation_rate", Self.ints(conv.dilation)),
                    ("groups", Self.int(conv.groups)), ("activation", activation(conv.activation, in: conv.name)),
                    ("use_bias", .bool(conv.useBias)),
                ]
            )
        case let conv as ConvolutionTranspose:
            return (
                "Conv\(conv.rank)DTranspose",
                [
                    ("filters", Self.int(conv.filters)), ("kernel_size", Self.ints(conv.kernelSize)),
                    ("strides", Self.ints(conv.strides)), ("padding", .string(conv.padding.rawValue)),
                    ("output_padding", conv.outputPadding.map { Self.ints($0) } ?? .null),
                    Self.dataFormat(conv.channelsFirst), ("dilation_rate", Self.ints(conv.dilation)),
                    ("activation", activation(conv.activation, in: conv.name)), ("use_bias", .bool(conv.useBias)),
                ]
            )
        case let conv as DepthwiseConvolution:
            return (
                "DepthwiseConv\(conv.rank)D",
                [
                    ("kernel_size", Self.ints(conv.kernelSize)), ("strides", Self.ints(conv.strides)),
                    ("padding", .string(conv.padding.rawValue)), ("depth_multiplier", Self.int(conv.depthMultiplier)),
                    Self.dataFormat(conv.channelsFirst), ("dilation_rate", Self.ints(conv.dilation)),
                    ("activation", activation(conv.activation, in: conv.name)), ("use_bias", .bool(conv.useBias)),
                ]
            )
        case let conv as SeparableConvolution:
            return (
                "SeparableConv\(conv.rank)D",
                [
                    ("filters", Self.int(conv.filters)), ("kernel_size", Self.ints(conv.kernelSize)),
                    ("strides", Self.ints(conv.strides)), ("padding", .string(conv.padding.rawValue)),
                    Self.dataFormat(conv.channelsFirst), ("dilation_rate", Self.ints(conv.dilation)),
                    ("depth_multiplier", Self.int(conv.depthMultiplier)),
                    ("activation", activation(conv.activation, in: conv.name)), ("use_bias", .bool(conv.useBias)),
                ]
            )
        case let pooling as Pooling:
            return (
                "\(pooling.kind == .max ? "Max" : "Average")Pooling\(pooling.rank)D",
                [
                    ("pool_size", Self.ints(pooling.poolSize)), ("strides", Self.ints(pooling.strides)),
                    ("padding", .string(pooling.padding.rawValue)), Self.dataFormat(pooling.channelsFirst),
                ]
            )
        case let pooling as GlobalPooling:
            return (
                "Global\(pooling.kind == .max ? "Max" : "Average")Pooling\(pooling.rank)D",
                [Self.dataFormat(pooling.channelsFirst), ("keepdims", .bool(pooling.keepDims))]
            )
        case let upSampling as UpSampling:
            guard upSampling.rank > 1 else { return ("UpSampling1D", [("size", Self.int(upSampling.size[0]))]) }
            return (
                "UpSampling\(upSampling.rank)D",
                [("size", Self.ints(upSampling.size)), Self.dataFormat(upSampling.channelsFirst)]
                    + (upSampling.rank == 2
                        ? [("interpolation", .string(upSampling.bilinear ? "bilinear" : "nearest"))] : [])
            )
        case let border as Border:
            return (
                "\(border.kind == .crop ? "Cropping" : "ZeroPadding")\(border.rank)D",
                [
                    (
                        border.kind == .crop ? "cropping" : "padding",
                        .array(border.amounts.map { Self.ints([$0.before, $0.after]) })
                    ),
                    Self.dataFormat(border.channelsFirst),
                ]
            )
        case let relu as ReLULayer:
            if relu.leaky { return ("LeakyReLU", [("negative_slope", Self.float(relu.negativeSlope))]) }
            return (
                "ReLU",
                [
                    ("max_value", relu.maxValue.map(Self.float) ?? .null),
                    ("negative_slope", Self.float(relu.negativeSlope)),
                    ("threshold", Self.float(relu.threshold)),
                ]
            )
        case let elu as ELU: return ("ELU", [("alpha", Self.float(elu.alpha))])
        case let prelu as PReLU:
            let shared = prelu.alpha.shape.indices.filter { prelu.alpha.shape[$0] == 1 }.map { $0 + 1 }
            return ("PReLU", [("shared_axes", shared.isEmpty ? .null : Self.ints(shared))])
        case let softmax as Softmax: return ("Softmax", [("axis", Self.int(softmax.axis))])
        case let rescaling as Rescaling:
            func values(_ numbers: [Float]) -> JSONValue {
                numbers.count == 1 ? Self.float(numbers[0]) : .array(numbers.map(Self.float))
            }
            return ("Rescaling", [("scale", values(rescaling.scale)), ("offset", values(rescaling.offset))])
        case let normalization as Normalization:
            return (
                "Normalization",
                [
                    ("axis", Self.ints([normalization.axis])), ("invert", .bool(normalization.invert)),
                    (
                        "mean",
                        normalization.statisticsAreWeights ? .null : .array(normalization.mean.scalars.map(Self.float))
                    ),
                    (
                        "variance",
                        normalization.statisticsAreWeights
                            ? .null : .array(normalization.variance.scalars.map(Self.float))
                    ),
                ]
            )
        case let attention as MultiHeadAttention:
            return (
                "MultiHeadAttention",
                [
                    ("num_heads", Self.int(attention.numHeads)), ("key_dim", Self.int(attention.keyDim)),
                    ("value_dim", Self.int(attention.valueDim)), ("dropout", Self.float(attention.dropout)),
                    ("use_bias", .bool(attention.useBias)), ("use_gate", .bool(attention.useGate)),
                    ("output_shape", attention.outputDimension.map(Self.int) ?? .null),
                    ("attention_axes", attention.attentionAxes.map { Self.ints($0) } ?? .null),
                    ("sliding_window", attention.slidingWindow.map(Self.int) ?? .null),
                ]
            )
        case let pooling as Pooling1D:
            return (
                pooling.kind == .max ? "MaxPooling1D" : "AveragePooling1D",
                [
                    ("pool_size", Self.ints([pooling.poolSize])), ("strides", Self.ints([pooling.stride])),
                    ("padding", .string(pooling.padding.rawValue)), channelsLast,
                ]
            )
        case let pooling as GlobalPooling1D:
            return (
                pooling.kind == .max ? "GlobalMaxPooling1D" : "GlobalAveragePooling1D",
                [channelsLast, ("keepdims", .bool(pooling.keepDims))]
            )
        case is Flatten: return ("Flatten", [channelsLast])
        case let reshape as Reshape: return ("Reshape", [("target_shape", Self.ints(reshape.targetShape))])
        case let permute as Permute: return ("Permute", [("dims", Self.ints(permute.dims))])
        case let repeatVector as RepeatVector: return ("RepeatVector", [("n", Self.int(repeatVector.n))])
        case let steps as Steps1D:
            return steps.kind == .crop
                ? ("Cropping1D", [("cropping", Self.ints([steps.before, steps.after]))])
                : ("ZeroPadding1D", [("padding", Self.ints([steps.before, steps.after]))])
        case let merge as Merge:
            return (merge.kind.rawValue.prefix(1).uppercased() + merge.kind.rawValue.dropFirst(), [])
        case let concatenate as Concatenate: return ("Concatenate", [("axis", Self.int(concatenate.axis))])
        case let dot as Dot:
            // One axis is Keras 3's integer form: Keras 3 refuses a one-element list (Keras 2.0 wrote them).
            let axes = dot.axes.count == 1 ? Self.int(dot.axes[0]) : Self.ints(dot.axes)
            return ("Dot", [("axes", axes), ("normalize", .bool(dot.normalize))])
        case let attention as Attention:
            var fields: [(String, JSONValue)] = [
                ("use_scale", .bool(attention.useScale)), ("dropout", Self.float(attention.dropout)),
            ]
            if attention.scoreMode != .additive { fields.append(("score_mode", .string(attention.scoreMode.rawValue))) }
            return (attention.scoreMode == .additive ? "AdditiveAttention" : "Attention", fields)
        case let norm as BatchNormalization:
            return (
                "BatchNormalization",
                [
                    ("axis", Self.int(norm.axis)), ("epsilon", Self.float(norm.epsilon)),
                    ("center", .bool(norm.center)), ("scale", .bool(norm.scale)),
                ]
            )
        case let norm as LayerNormalization:
            return (
                "LayerNormalization",
                [
                    ("axis", norm.axes.count == 1 ? Self.int(norm.axes[0]) : Self.ints(norm.axes)),
                    ("epsilon", Self.float(norm.epsilon)), ("center", .bool(norm.beta != nil)),
                    ("scale", .bool(norm.gamma != nil)), ("rms_scaling", .bool(norm.rmsScaling)),
                ]
            )
        case let noise as NoiseLayer:
            switch noise.kind {
            case .spatialDropout1D(let rate): return ("SpatialDropout1D", [("rate", Self.float(rate))])
            case .spatialDropout(let rate, let rank, let channelsFirst):
                return (
                    "SpatialDropout\(rank)D",
                    [
                        ("rate", Self.float(rate)), ("seed", .null), ("noise_shape", .null),
                        Self.dataFormat(channelsFirst),
                    ]
                )
            case .gaussianNoise(let stddev): return ("GaussianNoise", [("stddev", Self.float(stddev))])
            case .gaussianDropout(let rate): return ("GaussianDropout", [("rate", Self.float(rate))])
            case .activityRegularization(let l1, let l2):
                return ("ActivityRegularization", [("l1", Self.float(l1)), ("l2", Self.float(l2))])
            }
        default: return nil
        }
    }

    /// ConvLSTM1D/2D/3D's config fields (besides the RNN flags) from its cell.
    mutating func convLSTMFields(_ cell: ConvLSTMCell, in layer: String) -> [(String, JSONValue)] {
        [
            ("filters", Self.int(cell.filters)), ("kernel_size", Self.ints(cell.kernelSize)),
            ("strides", Self.ints(cell.strides)), ("padding", .string(cell.padding.rawValue)),
            ("data_format", .string(cell.channelsFirst ? "channels_first" : "channels_last")),
            ("dilation_rate", Self.ints(cell.dilation)), ("activation", activation(cell.activation, in: layer)),
            ("recurrent_activation", activation(cell.recurrentActivation, in: layer)),
            ("use_bias", .bool(cell.useBias)), ("dropout", Self.float(cell.dropout)),
            ("recurrent_dropout", Self.float(cell.recurrentDropout)),
            ("seed", cell.seed.map { .int(Int64(truncatingIfNeeded: $0)) } ?? .null),
        ]
    }

    /// Settings that matter only for further training (initializers, regularizers, constraints,
    /// BatchNormalization's momentum), carried over from a Keras 2 / tf.keras source config as they are
    /// (Keras 3 reads their `{"class_name", "config"}` forms); Keras 1's names (`W_regularizer`, ...) are
    /// not carried.
    static func trainingFields(_ source: JSONValue?, besides written: [String]) -> [(String, JSONValue)] {
        let keys = [
            "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
            "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
            "recurrent_constraint", "bias_constraint", "unit_forget_bias", "momentum", "beta_initializer",
            "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
            "gamma_regularizer", "beta_constraint", "gamma_constraint", "alpha_initializer", "alpha_regularizer",
            "alpha_constraint",
        ]
        guard let config = source?.objectValue else { return [] }
        return keys.compactMap { key in
            guard !written.contains(key), let value = config[key] else { return nil }
            return (key, value)
        }
    }
}
