/// A Keras model: layers wired into a graph (Sequential or Functional), run as one.
///
/// Nodes are layer calls in an order where every input is computed before it is used. A layer may be
/// called by several nodes (a shared layer). Each tensor carries the mask Keras attaches to it: Masking
/// and Embedding(mask_zero) make one, recurrent layers consume it and pass it on as Keras 3.15.1 does,
/// other layers pass it through.
///
/// ```swift
/// // An encoder whose final states start a decoder (two inputs, one output).
/// var model = Model(name: "seq2seq", layers: [encoderInput, decoderInput, encoder, decoder, dense], nodes: [
///     .init(layer: 0), .init(layer: 1),
///     .init(layer: 2, inputs: [.init(node: 0)]),
///     .init(layer: 3, inputs: [.init(node: 1)], initialState: [.init(node: 2, output: 1), .init(node: 2, output: 2)]),
///     .init(layer: 4, inputs: [.init(node: 3)]),
/// ], inputs: [.init(node: 0), .init(node: 1)], outputs: [.init(node: 4)])
/// let y = try model.call([source, target])[0]
/// ```
public struct Model: Sendable {
    /// Output `output` of node `node`.
    public struct TensorReference: Sendable, Hashable {
        /// The index of the producing node in `nodes`.
        public var node: Int
        /// Which of the node's outputs (a recurrent layer with `return_state` has several).
        public var output: Int

        /// Output `output` of node `node`.
        public init(node: Int, output: Int = 0) {
            self.node = node
            self.output = output
        }
    }

    /// One call of a layer.
    public struct Node: Sendable {
        /// Index into `layers`.
        public var layer: Int
        /// Positional inputs; recurrent and feed-forward layers take one.
        public var inputs: [TensorReference]
        /// Tensors passed as the call's `initial_state` (recurrent layers).
        public var initialState: [TensorReference]
        /// Tensors passed as the call's explicit `mask`: they win over the inputs' own masks (Keras 3).
        /// One entry for a call on one tensor; one per input (nil: none) for a call on a list, such as
        /// Attention's `[query_mask, value_mask]`. Non-zero values are true.
        public var masks: [TensorReference?]
        /// Whether a recurrent layer uses its input's own mask when the call names none. Keras 3.15.1
        /// does only for a call with one tensor argument: an RNN called with `initial_state` tensors gets
        /// no mask unless one is passed (its Layer.__call__, step 6); tf.keras always does.
        public var usesInputMask: Bool
        /// An attention call's `use_causal_mask` and `return_attention_scores`.
        public var attention: Attention.CallOptions
        /// MultiHeadAttention's `attention_mask` tensor, `[batch, Tq, Tv]`: which value steps each query step
        /// may attend to (non-zero is true), joined with the other masks.
        public var attentionMask: TensorReference?

        /// One call of layer `layer` on `inputs`; `mask` is the explicit mask of a call on one tensor, `masks` those of a call on a list.
        public init(
            layer: Int, inputs: [TensorReference] = [], initialState: [TensorReference] = [],
            mask: TensorReference? = nil, masks: [TensorReference?] = [], usesInputMask: Bool = true,
            attention: Attention.CallOptions = .init(), attentionMask: TensorReference? = nil
        ) {
            self.layer = layer
            self.inputs = inputs
            self.initialState = initialState
            self.masks = mask.map { [$0] } ?? masks
            self.usesInputMask = usesInputMask
            self.attention = attention
            self.attentionMask = attentionMask
        }

        /// The explicit mask of a call on one tensor.
        public var mask: TensorReference? { masks.first ?? nil }
    }

    /// The model's name (Keras's `name`).
    public var name: String
    /// The layers, each called by one or more nodes (a shared layer by several).
    public var layers: [ModelLayer]
    /// The calls of the layers, in an order where every node comes after the nodes it reads.
    public var nodes: [Node]
    /// The model's inputs, in order: outputs of input-layer nodes.
    public var inputs: [TensorReference]
    /// The model's outputs, in order.
    public var outputs: [TensorReference]

    /// A Functional model.
    /// - Precondition: nodes only use outputs of earlier nodes (checked by `call`).
    public init(
        name: String = "functional", layers: [ModelLayer], nodes: [Node], inputs: [TensorReference],
        outputs: [TensorReference]
    ) {
        self.name = name
        self.layers = layers
        self.nodes = nodes
        self.inputs = inputs
        self.outputs = outputs
    }

    /// A Sequential model: each layer feeds the next; the first is the input layer.
    public static func sequential(_ layers: [ModelLayer], name: String = "sequential") -> Model {
        let nodes = layers.indices.map { index in
            Node(layer: index, inputs: index == 0 ? [] : [TensorReference(node: index - 1)])
        }
        return Model(
            name: name, layers: layers, nodes: nodes, inputs: [TensorReference(node: 0)],
            outputs: [TensorReference(node: layers.count - 1)])
    }

    /// Every layer's weights, in layer order (what Keras's `get_weights` lists).
    public var weights: [Tensor] { layers.flatMap(\.weights) }

    /// Resets every stateful layer's carried states to zeros.
    public mutating func resetStates() throws {
        for index in layers.indices where layers[index].isStateful {
            switch layers[index] {
            case .recurrent(var layer):
                try layer.resetStates()
                layers[index] = .recurrent(layer)
            case .bidirectional(var layer):
                try layer.resetStates()
                layers[index] = .bidirectional(layer)
            default:
                break
            }
        }
    }
}
