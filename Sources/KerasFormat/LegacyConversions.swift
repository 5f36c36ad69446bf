import RecurrentLayers

/// Keras 2's `preprocess_weights_for_loading` for recurrent layers (KERAS.md C.7): weights saved by
/// other generations or by cuDNN layers, converted to the layout of the layer that loads them.
enum LegacyConversions {
    /// Converts `arrays` (in file order) for `layer`: wrappers split and recurse, Keras 1 per-gate arrays
    /// are regrouped, cuDNN layouts are converted by bias shape.
    static func convert(_ arrays: [Tensor], for layer: ModelLayer, file: String) throws -> [Tensor] {
        switch layer {
        case .bidirectional(let wrapper):
            guard arrays.count % 2 == 0 else { return arrays }
            let half = arrays.count / 2
            return try convert(Array(arrays[..<half]), for: wrapper.forward.cell, layer: wrapper.name, file: file)
                + convert(Array(arrays[half...]), for: wrapper.backward.cell, layer: wrapper.name, file: file)
        case .recurrent(let rnn):
            return try convert(arrays, for: rnn.cell, layer: rnn.name, file: file)
        case .feedForward(let conv as Conv1D):
            return conv1D(arrays, filters: conv.filters, kernelSize: conv.kernelSize)
        case .feedForward(let nested as NestedModel):
            return try convert(arrays, for: nested, file: file)
        case .feedForward(let wrapper as TimeDistributed):
            guard let nested = wrapper.layer as? NestedModel else { return arrays }
            return try convert(arrays, for: nested, file: file)
        default:
            return arrays
        }
    }

    /// A nested model's arrays, stored layer after layer under its name: each inner layer's share
    /// converted as that layer's own would be. Only arrays that match the inner slots one to one are split
    /// (Keras 2 and later); others are returned as stored, for the slot check to name.
    static func convert(_ arrays: [Tensor], for nested: NestedModel, file: String) throws -> [Tensor] {
        let owners = nested.model.layers.filter { !$0.weightSlots.isEmpty }
        guard arrays.count == owners.reduce(0, { $0 + $1.weightSlots.count }) else { return arrays }
        var result: [Tensor] = []
        var start = 0
        for layer in owners {
            let count = layer.weightSlots.count
            result += try convert(Array(arrays[start..<start + count]), for: layer, file: file)
            start += count
        }
        return result
    }

    /// Keras 1's Convolution1D kernel, 4-D: `(filter_length, 1, input_dim, nb_filter)`, or in Keras 1.1's
    /// layout `(nb_filter, input_dim, filter_length, 1)`, becomes `(kernel_size, input_dim, filters)`.
    static func conv1D(_ arrays: [Tensor], filters: Int, kernelSize: Int) -> [Tensor] {
        guard var kernel = arrays.first, kernel.rank == 4 else { return arrays }
        if Array(kernel.shape[..<2]) != [kernelSize, 1] || kernel.shape[3] != filters {
            guard kernel.shape[0] == filters, Array(kernel.shape[2...]) == [kernelSize, 1] else { return arrays }
            kernel = kernel.permuted([2, 3, 1, 0])
        }
        return [kernel.reshaped([kernel.shape[0], kernel.shape[2], kernel.shape[3]])] + arrays.dropFirst()
    }

    /// Keras 1's ConvLSTM2D: 12 per-gate arrays `[W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o,
    /// b_o]`, each kernel `(rows, cols, in, filters)`, or `(filters, in, rows, cols)` in Theano's ordering
    /// (`dim_ordering: th`, read as channels_first), joined along the filters axis in the gate order i, f, c, o.
    static func convLSTM(_ arrays: [Tensor], cell: ConvLSTMCell) -> [Tensor] {
        guard arrays.count == 12 else { return arrays }
        func kernel(_ gates: [Tensor], inputs: Int) -> Tensor {
            // Theano's ordering is the layer's channels_first (as tf_keras decides, by data format).
            let blocks = gates.map { block -> Tensor in
                guard cell.channelsFirst, block.shape == [cell.filters, inputs] + cell.kernelSize else { return block }
                return block.permuted(Array(2..<block.rank) + [1, 0])
            }
            // Side by side along the last axis: rows of `inputs`-wide positions, each gate's filters in turn.
            let positions = blocks[0].count / cell.filters
            var scalars: [Float] = []
            for p in 0..<positions {
                for block in blocks { scalars += block.scalars[(p * cell.filters)..<((p + 1) * cell.filters)] }
            }
            return Tensor(shape: Array(blocks[0].shape.dropLast()) + [4 * cell.filters], scalars: scalars)
        }
        return [
            kernel([arrays[0], arrays[6], arrays[3], arrays[9]], inputs: cell.channels),
            kernel([arrays[1], arrays[7], arrays[4], arrays[10]], inputs: cell.filters),
            cat([arrays[2], arrays[8], arrays[5], arrays[11]]),
        ]
    }

    static func convert(_ arrays: [Tensor], for cell: any RecurrentCell, layer: String, file: String) throws -> [Tensor]
    {
        var arrays = arrays
        let perGate =
            (cell is LSTMCell || cell is ConvLSTMCell) && arrays.count == 12 || cell is GRUCell && arrays.count == 9
        if perGate { try checkPerGate(arrays, layer: layer, file: file) }
        if let cell = cell as? ConvLSTMCell {
            return perGate ? convLSTM(arrays, cell: cell) : arrays
        }
        if cell is LSTMCell, arrays.count == 12 {
            // Keras 1: [W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o] -> gate order i, f, c, o.
            arrays = [
                hcat([arrays[0], arrays[6], arrays[3], arrays[9]]),
                hcat([arrays[1], arrays[7], arrays[4], arrays[10]]),
                cat([arrays[2], arrays[8], arrays[5], arrays[11]]),
            ]
        } else if cell is GRUCell, arrays.count == 9 {
            // Keras 1: [W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h] -> a reset-before GRU.
            arrays = [
                hcat([arrays[0], arrays[3], arrays[6]]), hcat([arrays[1], arrays[4], arrays[7]]),
                cat([arrays[2], arrays[5], arrays[8]]),
            ]
        }
        guard arrays.count == 3, arrays[0].rank == 2, arrays[1].rank == 2 else { return arrays }
        let units = arrays[1].shape[0]
        // cuDNN layouts below need kernels of the cell's width; anything else is left for the slot check.
        let gates = cell is LSTMCell ? 4 : 3
        guard arrays[0].shape[1] == gates * units, arrays[1].shape == [units, gates * units] else { return arrays }
        if let lstm = cell as? LSTMCell, lstm.useBias, arrays[2].shape == [8 * units] {
            return fromCuDNN(
                arrays, gates: 4, units: units,
                bias: zip(arrays[2].scalars.prefix(4 * units), arrays[2].scalars.suffix(4 * units)).map(+),
                biasShape: [4 * units])
        }
        if let gru = cell as? GRUCell, gru.useBias, arrays[2].shape == [6 * units] {
            guard gru.resetAfter else {
                throw KerasFormatError(
                    .weightMismatch, file: file, layer: layer,
                    reason: "CuDNNGRU weights are not compatible with a GRU with reset_after=False")
            }
            return fromCuDNN(arrays, gates: 3, units: units, bias: arrays[2].scalars, biasShape: [2, 3 * units])
        }
        return arrays
    }

    /// Keras 1's per-gate arrays (`W_g, U_g, b_g` for each gate) must agree gate by gate before they are
    /// joined: kernels of one shape (rank 2 or more, same rows), biases of one length.
    /// - Throws: `KerasFormatError.weightMismatch` naming the layer and the shapes found.
    static func checkPerGate(_ arrays: [Tensor], layer: String, file: String) throws {
        for role in 0..<3 {
            let shapes = stride(from: role, to: arrays.count, by: 3).map { arrays[$0].shape }
            let rankOK = role == 2 ? shapes.allSatisfy { $0.count == 1 } : shapes.allSatisfy { $0.count >= 2 }
            guard rankOK, Set(shapes).count == 1 else {
                let name = ["input kernels", "recurrent kernels", "biases"][role]
                throw KerasFormatError(
                    .weightMismatch, file: file, layer: layer,
                    reason: "the per-gate \(name) have shapes \(shapes), which do not form one weight"
                )
            }
        }
    }

    /// cuDNN to Keras: each gate's input kernel block `K_g` becomes `K_g.T.reshape((F, U), order='F')`,
    /// each recurrent block is transposed; the bias is given already converted.
    static func fromCuDNN(_ arrays: [Tensor], gates: Int, units: Int, bias: [Float], biasShape: [Int]) -> [Tensor] {
        let features = arrays[0].shape[0]
        var kernel = Tensor.zeros([features, gates * units])
        var recurrent = Tensor.zeros([units, gates * units])
        for g in 0..<gates {
            // The block's row-major data, viewed as [U, F] (Fortran reshape of the transpose), transposed.
            var block: [Float] = []
            for f in 0..<features {
                for u in 0..<units { block.append(arrays[0][f, g * units + u]) }
            }
            for f in 0..<features {
                for u in 0..<units { kernel[f, g * units + u] = block[u * features + f] }
            }
            for i in 0..<units {
                for j in 0..<units { recurrent[i, g * units + j] = arrays[1][j, g * units + i] }
            }
        }
        return [kernel, recurrent, Tensor(shape: biasShape, scalars: bias)]
    }

    /// Matrices side by side (`np.hstack`).
    static func hcat(_ parts: [Tensor]) -> Tensor {
        let rows = parts[0].shape[0]
        let widths = parts.map { $0.shape.count > 1 ? $0.shape[1] : 1 }
        var scalars: [Float] = []
        for r in 0..<rows {
            for (part, width) in zip(parts, widths) { scalars += part.scalars[(r * width)..<((r + 1) * width)] }
        }
        return Tensor(shape: [rows, widths.reduce(0, +)], scalars: scalars)
    }

    /// Vectors end to end (`np.concatenate`).
    static func cat(_ parts: [Tensor]) -> Tensor {
        let scalars = parts.flatMap(\.scalars)
        return Tensor(shape: [scalars.count], scalars: scalars)
    }
}
