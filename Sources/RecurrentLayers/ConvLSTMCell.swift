/// Keras's `ConvLSTMCell`, the cell of ConvLSTM1D/2D/3D: an LSTM whose products are convolutions.
/// Each step's input is `[batch, spatial..., channels]` (`[batch, channels, spatial...]` with
/// `channelsFirst`); gate blocks i, f, c, o as in LSTMCell:
///
///     z = conv(x, kernel, strides, padding, dilation) + bias + conv(h, recurrent_kernel, 1, "same")
///     c_t = f * c_{t-1} + i * act(z_c);  h_t = o * act(c_t)
///
/// Weights: `kernel [kernel..., channels, 4 filters]`, `recurrent_kernel [kernel..., filters, 4 filters]`,
/// `bias [4 filters]`. States `[h, c]`, each `[output spatial..., filters]` (channels first:
/// `[filters, output spatial...]`); the output is `h`.
public struct ConvLSTMCell: RecurrentCell {
    /// The cell's name.
    public var name: String
    /// 1, 2 or 3 spatial dimensions.
    public let rank: Int
    /// The number of output channels (Keras's `filters`).
    public var filters: Int
    /// The kernel's extent in each spatial dimension.
    public var kernelSize: [Int]
    /// The input convolution's stride in each spatial dimension.
    public var strides: [Int]
    /// The input convolution's dilation rate in each spatial dimension.
    public var dilation: [Int]
    /// `valid` or `same`.
    public var padding: Padding
    /// Keras's `data_format="channels_first"`: channels before the spatial dimensions.
    public var channelsFirst: Bool
    /// The activation of the candidate cell state and of the output (Keras's `activation`, tanh by default).
    public var activation: Activation
    /// The gates' activation (Keras's `recurrent_activation`, sigmoid by default).
    public var recurrentActivation: Activation
    /// True when the cell has a bias.
    public var useBias: Bool
    /// The dropout rate on the input, in training only.
    public var dropout: Float
    /// The dropout rate on the recurrent state, in training only.
    public var recurrentDropout: Float
    /// The seed of the dropout masks' random numbers; nil for a fresh seed per layer.
    public var seed: UInt64?
    /// `[kernel..., channels, 4 filters]`: the input convolution's kernel, gate blocks i, f, c, o.
    public var kernel: Tensor
    /// `[kernel..., filters, 4 filters]`: the recurrent convolution's kernel.
    public var recurrentKernel: Tensor
    /// `[4 filters]`, or nil without `useBias`.
    public var bias: Tensor?
    /// The spatial size of each step's input (Keras needs it static) and its channels.
    public let inputSpatial: [Int]
    /// The number of channels of each step's input.
    public let channels: Int
    let geometry: ConvolutionGeometry
    let recurrentGeometry: ConvolutionGeometry

    /// A cell with fresh weights (Keras's defaults: glorot-uniform kernel, orthogonal recurrent kernel,
    /// zero bias with the forget block at one).
    /// - Parameters:
    ///   - filters: The number of output channels.
    ///   - kernelSize: The kernel's extent, one value per spatial dimension (1 to 3 of them).
    ///   - inputSpatial: The spatial shape of each step's input.
    ///   - channels: The channels of each step's input.
    ///   - strides: The input convolution's strides, one per spatial dimension; 1 by default.
    ///   - dilation: The input convolution's dilation rates, one per spatial dimension; 1 by default.
    ///   - padding: `valid` or `same`.
    ///   - channelsFirst: Channels before the spatial dimensions (Keras's `channels_first`).
    ///   - activation: The candidate's and the output's activation.
    ///   - recurrentActivation: The gates' activation.
    ///   - useBias: Whether the cell has a bias.
    ///   - unitForgetBias: Keras's `unit_forget_bias`: the forget block of the bias starts at one.
    ///   - kernelInitializer: How the kernel is filled.
    ///   - recurrentInitializer: How the recurrent kernel is filled.
    ///   - biasInitializer: How the bias is filled (before `unitForgetBias`).
    ///   - dropout: The input dropout rate in training.
    ///   - recurrentDropout: The recurrent dropout rate in training.
    ///   - seed: The seed of the weights' and dropout masks' random numbers.
    ///   - name: The cell's name.
    public init(
        filters: Int, kernelSize: [Int], inputSpatial: [Int], channels: Int, strides: [Int]? = nil,
        dilation: [Int]? = nil, padding: Padding = .valid, channelsFirst: Bool = false,
        activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid, useBias: Bool = true,
        unitForgetBias: Bool = true, kernelInitializer: Initializer = .glorotUniform,
        recurrentInitializer: Initializer = .orthogonal(), biasInitializer: Initializer = .zeros,
        dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil, name: String = "conv_lstm_cell"
    ) throws {
        try CellWeights.checkSizes(units: filters, gates: 4, inputSize: channels, cell: name)
        let rank = kernelSize.count
        let strides = strides ?? Array(repeating: 1, count: rank)
        let dilation = dilation ?? Array(repeating: 1, count: rank)
        guard (1...3).contains(rank), inputSpatial.count == rank, strides.count == rank, dilation.count == rank
        else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "kernel_size \(kernelSize), strides \(strides), dilation_rate \(dilation) and the input's spatial shape \(inputSpatial) must have the same rank, 1 to 3"
            )
        }
        guard filters > 0, channels > 0, (kernelSize + strides + dilation + inputSpatial).allSatisfy({ $0 > 0 })
        else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "filters (\(filters)), channels (\(channels)), kernel_size \(kernelSize), strides \(strides), dilation_rate \(dilation) and the spatial shape \(inputSpatial) must be positive"
            )
        }
        guard strides.max()! == 1 || dilation.max()! == 1 else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "Specifying `strides > 1` is not compatible with `dilation_rate > 1`. Received: strides=\(strides) and dilation_rate=\(dilation)"
            )
        }
        guard padding != .causal else {
            throw RecurrentError(.invalidArgument, layer: name, "padding must be 'valid' or 'same', received 'causal'")
        }
        self.name = name
        self.rank = rank
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.dilation = dilation
        self.padding = padding
        self.channelsFirst = channelsFirst
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.useBias = useBias
        self.dropout = min(max(dropout, 0), 1)
        self.recurrentDropout = min(max(recurrentDropout, 0), 1)
        self.seed = seed
        self.inputSpatial = inputSpatial
        self.channels = channels
        geometry = ConvolutionGeometry(
            input: inputSpatial, kernel: kernelSize, strides: strides, dilation: dilation, padding: padding)
        guard geometry.output.allSatisfy({ $0 > 0 }) else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "the kernel \(kernelSize) (dilation \(dilation)) does not fit the input's spatial shape \(inputSpatial) with valid padding"
            )
        }
        recurrentGeometry = ConvolutionGeometry(
            input: geometry.output, kernel: kernelSize, strides: Array(repeating: 1, count: rank),
            dilation: Array(repeating: 1, count: rank), padding: .same)
        var generator = SeededGenerator(seed: seed ?? 0)
        let zeroIfPlaceholder = { (initializer: Initializer, shape: [Int]) throws -> Tensor in
            initializer == .placeholder ? .zeros(shape) : try initializer.make(shape, generator: &generator)
        }
        kernel = try zeroIfPlaceholder(kernelInitializer, kernelSize + [channels, 4 * filters])
        recurrentKernel = try zeroIfPlaceholder(recurrentInitializer, kernelSize + [filters, 4 * filters])
        if useBias {
            if unitForgetBias, biasInitializer != .placeholder {
                let input = try biasInitializer.make([filters], generator: &generator).scalars
                let rest = try biasInitializer.make([2 * filters], generator: &generator).scalars
                bias = Tensor(shape: [4 * filters], scalars: input + Array(repeating: 1, count: filters) + rest)
            } else {
                bias = try zeroIfPlaceholder(biasInitializer, [4 * filters])
            }
        }
    }

    /// The spatial shape of the output and states.
    public var outputSpatial: [Int] { geometry.output }

    public var stateShapes: [[Int]] {
        let shape = channelsFirst ? [filters] + outputSpatial : outputSpatial + [filters]
        return [shape, shape]
    }

    public var outputShape: [Int] { stateShapes[0] }
    /// The filters, as LSTM's units.
    public var outputSize: Int { filters }

    public var weightSlots: [WeightSlot] {
        [
            WeightSlot(name: "kernel", shape: kernelSize + [channels, 4 * filters]),
            WeightSlot(name: "recurrent_kernel", shape: kernelSize + [filters, 4 * filters]),
        ] + (useBias ? [WeightSlot(name: "bias", shape: [4 * filters])] : [])
    }

    public var weights: [Tensor] { [kernel, recurrentKernel] + (bias.map { [$0] } ?? []) }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        try checkWeights(weights, against: weightSlots, layer: name)
        kernel = weights[0]
        recurrentKernel = weights[1]
        bias = useBias ? weights[2] : nil
    }

    /// Four masks for the input and four for the state (one per gate), as Keras's `dropout_mask_count`.
    public func makeDropoutMasks(batchSize: Int, inputSize: Int, call: Int) -> [DropoutMasks?] {
        guard dropout > 0 || recurrentDropout > 0 else { return [nil] }
        var generator = DropoutMasks.generator(seed: seed, call: call)
        let stateSize = stateShapes[0].reduce(1, *)
        let input =
            dropout > 0
            ? DropoutMasks.make(4, shape: [batchSize, inputSize], rate: dropout, generator: &generator) : []
        let recurrent =
            recurrentDropout > 0
            ? DropoutMasks.make(4, shape: [batchSize, stateSize], rate: recurrentDropout, generator: &generator) : []
        return [DropoutMasks(input: input, recurrent: recurrent)]
    }

    /// The input convolution (bias included) of every timestep at once: `[n, step shape...]` to
    /// `[n, output positions * 4 filters]`, so that only the recurrent convolution runs per step.
    public func projectInputs(_ inputs: Tensor) throws -> Tensor? {
        try checkStepInput(inputs)
        let n = inputs.shape[0]
        var z = convolve(channelsLast(inputs), masks: [], weights: kernel, inChannels: channels, geometry: geometry)
        if let bias { Gates.addRowBias(&z, bias.scalars) }
        return Tensor(shape: [n, z.count / max(n, 1)], scalars: z)
    }

    public func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        advance(projected.scalars, states: states, recurrentMasks: [])
    }

    public func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        guard let masks = context.masks else {
            return try step(projected: projectInputs(input)!, states: states, context: context)
        }
        try checkStepInput(input)
        var z = convolve(
            channelsLast(input), masks: masks.input, weights: kernel, inChannels: channels, geometry: geometry)
        if let bias { Gates.addRowBias(&z, bias.scalars) }
        return advance(z, states: states, recurrentMasks: masks.recurrent)
    }

    func checkStepInput(_ input: Tensor) throws {
        let expected =
            [input.shape.first ?? 0] + (channelsFirst ? [channels] + inputSpatial : inputSpatial + [channels])
        guard input.shape == expected else {
            throw RecurrentError(
                .shapeMismatch, layer: name, "expected each step's input of shape \(expected), received \(input.shape)")
        }
    }

    /// The gates from the input part `z` `[batch * positions, 4 filters]` (bias included) and the
    /// recurrent convolution of `h_prev` under its masks.
    private func advance(_ z: [Float], states: [Tensor], recurrentMasks: [Tensor]) -> CellOutput {
        let batch = states[0].shape[0]
        let recurrent = convolve(
            channelsLast(states[0]), masks: recurrentMasks, weights: recurrentKernel, inChannels: filters,
            geometry: recurrentGeometry)
        let (hNext, cNext) = Kernels.lstmGates(
            x: z, recurrent: recurrent, previousC: channelsLast(states[1]).scalars,
            batch: batch * geometry.outputCount, units: filters, activation: activation,
            recurrentActivation: recurrentActivation)
        let spatial = [batch] + outputSpatial + [filters]
        let output = stored(Tensor(shape: spatial, scalars: hNext))
        return CellOutput(output: output, states: [output, stored(Tensor(shape: spatial, scalars: cNext))])
    }

    /// `x [batch, spatial..., in]` convolved with `weights [kernel..., in, 4 filters]`; with masks (one per
    /// gate, flat per sample), each gate's block convolves the input under its own mask.
    private func convolve(
        _ x: Tensor, masks: [Tensor], weights: Tensor, inChannels: Int, geometry: ConvolutionGeometry
    ) -> [Float] {
        let batch = x.shape[0]
        guard !masks.isEmpty else {
            return Kernels.convolve(
                x.scalars, batch: batch, channels: inChannels, geometry: geometry, kernel: weights.scalars,
                filters: 4 * filters)
        }
        let positions = batch * geometry.outputCount
        var result = [Float](repeating: 0, count: positions * 4 * filters)
        let rows = weights.count / (4 * filters)
        for gate in 0..<4 {
            // The mask was drawn over the step's input layout; bring it to channels last with the input.
            let mask = channelsLast(
                Tensor(
                    shape: channelsFirst ? [batch, inChannels] + geometry.input : x.shape, scalars: masks[gate].scalars)
            )
            let masked = zip(x.scalars, mask.scalars).map { $0 * $1 }
            var block = [Float](repeating: 0, count: rows * filters)
            for r in 0..<rows {
                for f in 0..<filters { block[r * filters + f] = weights.scalars[r * 4 * filters + gate * filters + f] }
            }
            let part = Kernels.convolve(
                masked, batch: batch, channels: inChannels, geometry: geometry, kernel: block, filters: filters)
            for p in 0..<positions {
                for f in 0..<filters { result[p * 4 * filters + gate * filters + f] = part[p * filters + f] }
            }
        }
        return result
    }

    /// A `[batch, channels, spatial...]` tensor moved to `[batch, spatial..., channels]` (channels first).
    private func channelsLast(_ tensor: Tensor) -> Tensor {
        guard channelsFirst else { return tensor }
        return tensor.permuted([0] + Array(2..<tensor.rank) + [1])
    }

    /// A channels-last result in the layout the cell keeps (channels first).
    private func stored(_ tensor: Tensor) -> Tensor {
        guard channelsFirst else { return tensor }
        return tensor.permuted([0, tensor.rank - 1] + Array(1..<(tensor.rank - 1)))
    }
}
