import RecurrentLayers

/// What a model holds, for people and scripts: its layers in order with their Keras class, inputs, the
/// options that matter, weight slots and parameter counts.
public struct ModelSummary: Sendable, Encodable {
    /// One weight of a layer.
    public struct Slot: Sendable, Encodable {
        /// Keras's name for it (`kernel`, `recurrent_kernel`, ...).
        public var name: String
        /// Its shape.
        public var shape: [Int]
        /// Its element type as NumPy spells it (`float32`).
        public var dtype: String
    }

    /// One layer of the model.
    public struct Layer: Sendable, Encodable {
        /// The layer's name.
        public var name: String
        /// Its Keras class (`LSTM`, `Bidirectional`, `Dense`, ...).
        public var className: String
        /// The layers whose outputs this layer takes (`name[node][tensor]` for other than the first output).
        public var inputs: [String]
        /// Options that change what the layer computes, as text (`units`, activations, flags, ...).
        public var options: [String: String]
        /// Its weights, in Keras's order.
        public var weights: [Slot]
        /// The number of values in its weights.
        public var parameters: Int
    }

    /// `Sequential` or `Functional`.
    public var modelClass: String
    /// The model's name.
    public var name: String
    /// The names of the input layers.
    public var inputs: [String]
    /// The layers whose outputs are the model's outputs.
    public var outputs: [String]
    /// The layers, in the order of the config.
    public var layers: [Layer]
    /// The number of values in every weight.
    public var parameters: Int
    /// The number of values in trainable weights: all but BatchNormalization's moving statistics, as
    /// Keras counts them.
    public var trainableParameters: Int
}

extension KerasModel {
    /// The weights Keras does not train (`trainable=False` variables): BatchNormalization's statistics.
    static let nonTrainableSlots: Set<String> = ["moving_mean", "moving_variance"]

    /// The summary of the model as loaded.
    public var summary: ModelSummary {
        let model = self.model
        func label(_ reference: Model.TensorReference) -> String {
            let name = model.layers[model.nodes[reference.node].layer].name
            return reference.output == 0 ? name : "\(name)[\(reference.output)]"
        }
        let layers = model.layers.enumerated().map { index, layer -> ModelSummary.Layer in
            let nodes = model.nodes.filter { $0.layer == index }
            var inputs = nodes.flatMap { node -> [String] in
                var labels: [String] = node.inputs.map(label)
                labels += node.initialState.map { "initial_state: " + label($0) }
                labels += node.masks.map { (reference: Model.TensorReference?) -> String in
                    "mask: " + (reference.map(label) ?? "None")
                }
                if node.attention.useCausalMask { labels.append("use_causal_mask: True") }
                if node.attention.returnAttentionScores { labels.append("return_attention_scores: True") }
                return labels
            }
            inputs = inputs.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
            let slots = layer.weightSlots.map { ModelSummary.Slot(name: $0.name, shape: $0.shape, dtype: "float32") }
            return ModelSummary.Layer(
                name: layer.name, className: index < sources.count ? sources[index].className : "?", inputs: inputs,
                options: Self.options(of: layer), weights: slots,
                parameters: slots.reduce(0) { $0 + Tensor.checkedCount($1.shape).partialValue })
        }
        let total = layers.reduce(0) { $0 + $1.parameters }
        // A nested model's slots are named `layer/slot`.
        let frozen = layers.flatMap(\.weights).filter {
            Self.nonTrainableSlots.contains(String($0.name.split(separator: "/").last ?? ""))
        }
        .reduce(0) { $0 + Tensor.checkedCount($1.shape).partialValue }
        return ModelSummary(
            modelClass: kind == .sequential ? "Sequential" : "Functional", name: model.name,
            inputs: model.inputs.map(label),
            outputs: model.outputs.map(label), layers: layers, parameters: total,
            trainableParameters: total - frozen)
    }

    static func options(of layer: ModelLayer) -> [String: String] {
        func flags(_ rnn: RNN) -> [String: String] {
            var result: [String: String] = ["units": String(rnn.cell.outputSize)]
            if rnn.returnSequences { result["return_sequences"] = "true" }
            if rnn.returnState { result["return_state"] = "true" }
            if rnn.goBackwards { result["go_backwards"] = "true" }
            if rnn.stateful { result["stateful"] = "true" }
            if rnn.zeroOutputForMask { result["zero_output_for_mask"] = "true" }
            if rnn.timeMajor { result["time_major"] = "true" }
            switch rnn.cell {
            case let cell as SimpleRNNCell: result["activation"] = cell.activation.kerasName
            case let cell as LSTMCell:
                result["activation"] = cell.activation.kerasName
                result["recurrent_activation"] = describe(cell.recurrentActivation)
            case let cell as GRUCell:
                result["activation"] = cell.activation.kerasName
                result["recurrent_activation"] = describe(cell.recurrentActivation)
                result["reset_after"] = String(cell.resetAfter)
            case let stack as StackedRNNCells:
                result["cells"] = stack.cells.map { String(describing: type(of: $0)) }.joined(separator: ", ")
            default:
                result["cell"] = String(describing: type(of: rnn.cell))
            }
            return result
        }
        switch layer {
        case .input(_, let shape, let batch):
            return [
                "shape": "(" + ([batch] + shape).map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + ")"
            ]
        case .recurrent(let rnn): return flags(rnn)
        case .bidirectional(let wrapper):
            var result = flags(wrapper.forward)
            result["merge_mode"] = wrapper.mergeMode?.rawValue ?? "None"
            return result
        case .operation(_, let operation): return ["operation": operation.kerasClassName]
        case .feedForward(let inner):
            switch inner {
            case let dense as Dense: return ["units": String(dense.units), "activation": dense.activation.kerasName]
            case let embedding as Embedding:
                return [
                    "input_dim": String(embedding.inputDim), "output_dim": String(embedding.outputDim),
                    "mask_zero": String(embedding.maskZero),
                ]
            case let masking as Masking: return ["mask_value": String(masking.maskValue)]
            case let dropout as Dropout: return ["rate": String(dropout.rate)]
            case let activation as ActivationLayer: return ["activation": activation.activation.kerasName]
            case let wrapper as TimeDistributed: return ["layer": wrapper.layer.name]
            case let conv as Conv1D:
                return [
                    "filters": String(conv.filters), "kernel_size": String(conv.kernelSize),
                    "strides": String(conv.stride), "padding": conv.padding.rawValue,
                    "dilation_rate": String(conv.dilation), "activation": conv.activation.kerasName,
                ]
            case let conv as Convolution:
                return [
                    "filters": String(conv.filters), "kernel_size": "\(conv.kernelSize)",
                    "strides": "\(conv.strides)", "padding": conv.padding.rawValue,
                    "dilation_rate": "\(conv.dilation)", "activation": conv.activation.kerasName,
                ].merging(conv.channelsFirst ? ["data_format": "channels_first"] : [:]) { $1 }
            case let pooling as Pooling:
                return [
                    "pool_size": "\(pooling.poolSize)", "strides": "\(pooling.strides)",
                    "padding": pooling.padding.rawValue,
                ]
            case let pooling as Pooling1D:
                return [
                    "pool_size": String(pooling.poolSize), "strides": String(pooling.stride),
                    "padding": pooling.padding.rawValue,
                ]
            case let merge as Merge: return ["merge": merge.kind.rawValue]
            case let concatenate as Concatenate: return ["axis": String(concatenate.axis)]
            case let dot as Dot:
                return ["axes": dot.axes.map(String.init).joined(separator: ","), "normalize": String(dot.normalize)]
            case let attention as Attention:
                return [
                    "score_mode": attention.scoreMode.rawValue, "use_scale": String(attention.useScale),
                    "dropout": String(attention.dropout),
                ].merging(attention.causal ? ["causal": "true"] : [:]) { $1 }
            case let reshape as Reshape:
                return ["target_shape": reshape.targetShape.map(String.init).joined(separator: ",")]
            case let permute as Permute: return ["dims": permute.dims.map(String.init).joined(separator: ",")]
            case let repeatVector as RepeatVector: return ["n": String(repeatVector.n)]
            case let norm as BatchNormalization: return ["axis": String(norm.axis), "epsilon": String(norm.epsilon)]
            case let norm as LayerNormalization:
                return ["axis": norm.axes.map(String.init).joined(separator: ","), "epsilon": String(norm.epsilon)]
            default: return [:]
            }
        }
    }

    /// Activation names, with the hard_sigmoid generation spelled out.
    static func describe(_ activation: Activation) -> String {
        activation == .hardSigmoidKeras2 ? "hard_sigmoid (Keras 2: 0.2x + 0.5)" : activation.kerasName
    }
}
