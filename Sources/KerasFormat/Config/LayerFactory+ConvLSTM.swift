import RecurrentLayers

/// ConvLSTM1D/2D/3D: an RNN over a ConvLSTMCell, from Keras 3, tf.keras and Keras 1 configs.
extension LayerFactory {
    static let convLSTMClasses: Set<String> = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]

    /// The layer for inputs `[batch, timesteps, spatial..., channels]` (`[batch, timesteps, channels,
    /// spatial...]` with `data_format: channels_first`). Keras 1's ConvLSTM2D names (`nb_filter`, `nb_row`,
    /// `nb_col`, `subsample`, `border_mode`, `dim_ordering`, `inner_activation`) are read too.
    func convLSTM(_ className: String, name: String, fields: Fields, inputShape: [Int?]) throws -> RNN {
        let rank = Int(String(className.dropFirst("ConvLSTM".count).prefix(1))) ?? 2
        let channelsFirst = try fields.channelsFirst()
        guard inputShape.count == rank + 3 else {
            throw fail(
                name,
                "\(className) takes inputs of rank \(rank + 3) (batch, time, \(rank) spatial dimensions, channels), its input shape is \(Self.spelled(inputShape))"
            )
        }
        let step = Array(inputShape.dropFirst(2))
        let spatial = (channelsFirst ? Array(step.dropFirst()) : Array(step.dropLast())).compactMap { $0 }
        guard let channels = (channelsFirst ? step.first : step.last) ?? nil, spatial.count == rank else {
            throw fail(
                name,
                "ConvLSTM layers need static spatial dimensions and channels; its input shape is \(Self.spelled(inputShape))"
            )
        }
        func tuple(_ key: String, old: [String] = [], default fallback: Int) throws -> [Int] {
            try fields.tuple(key, rank: rank, old: old, default: fallback) ?? []
        }
        guard let filters = fields.int("filters") ?? fields.int("nb_filter") else {
            throw fail(name, "the config has no 'filters'")
        }
        let kernelSize = try tuple("kernel_size", old: ["nb_row", "nb_col"], default: 0)
        guard kernelSize.allSatisfy({ $0 > 0 }) else { throw fail(name, "the config has no 'kernel_size'") }
        let initializers = try fields.cellInitializers()
        do {
            let cell = try ConvLSTMCell(
                filters: filters, kernelSize: kernelSize, inputSpatial: spatial, channels: channels,
                strides: try tuple("strides", old: ["subsample"], default: 1),
                dilation: try tuple("dilation_rate", default: 1), padding: try fields.padding(allowCausal: false),
                channelsFirst: channelsFirst, activation: try fields.activation("activation", default: "tanh"),
                recurrentActivation: try fields.activation(
                    "recurrent_activation", default: keras2 ? "hard_sigmoid" : "sigmoid", orOld: "inner_activation"),
                useBias: fields.bool("use_bias", fields.bool("bias", true)),
                unitForgetBias: fields.bool("unit_forget_bias", true),
                kernelInitializer: initializers.kernel, recurrentInitializer: initializers.recurrent,
                biasInitializer: initializers.bias,
                dropout: Float(fields.double("dropout") ?? fields.double("dropout_W") ?? 0),
                recurrentDropout: Float(fields.double("recurrent_dropout") ?? fields.double("dropout_U") ?? 0),
                seed: fields.int("seed").map { UInt64(max(0, $0)) }, name: "conv_lstm_cell")
            var layer = RNN(
                cell: cell, returnSequences: fields.bool("return_sequences", false),
                returnState: fields.bool("return_state", false), goBackwards: fields.bool("go_backwards", false),
                stateful: fields.bool("stateful", false), unroll: fields.bool("unroll", false),
                batchSize: inputShape.first ?? nil, name: name)
            layer.activityRegularizer = try fields.regularizer("activity_regularizer")
            return layer
        } catch let error as RecurrentError {
            throw fail(name, error.message)
        }
    }

    static func spelled(_ shape: [Int?]) -> String {
        "(" + shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + ")"
    }
}
