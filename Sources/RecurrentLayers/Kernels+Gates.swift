/// Gate arithmetic of the built-in cells, beside the products it follows. Inputs are row-major
/// `[batch, gates * units]` blocks: `x` the input part (bias included), `recurrent` the state part.
/// Activations run over whole gate blocks (vectorised); the combinations are plain loops.
extension Kernels {
    /// `x + recurrent`, element-wise.
    @inline(__always)
    static func sum(_ x: [Float], _ recurrent: [Float]) -> [Float] {
        var z = x
        z.withUnsafeMutableBufferPointer { z in
            recurrent.withUnsafeBufferPointer { r in
                for i in z.indices { z[i] += r[i] }
            }
        }
        return z
    }

    /// Applies `activation` to `count` values starting at column `offset` of each `width`-wide row.
    @inline(__always)
    static func activateBlocks(
        _ values: inout [Float], rows: Int, width: Int, offset: Int, count: Int, _ activation: Activation
    ) {
        values.withUnsafeMutableBufferPointer { buffer in
            for row in 0..<rows {
                activation.apply(
                    to: UnsafeMutableBufferPointer(
                        rebasing: buffer[(row * width + offset)..<(row * width + offset + count)]))
            }
        }
    }

    /// LSTM (gate blocks i, f, c, o): `c_t = f * c_{t-1} + i * act(g)`, `h_t = o * act(c_t)`.
    static func lstmGates(
        x: [Float], recurrent: [Float], previousC: [Float], batch: Int, units: Int, activation: Activation,
        recurrentActivation: Activation
    ) -> (h: [Float], c: [Float]) {
        let width = 4 * units
        var z = sum(x, recurrent)
        activateBlocks(&z, rows: batch, width: width, offset: 0, count: 2 * units, recurrentActivation)
        activateBlocks(&z, rows: batch, width: width, offset: 2 * units, count: units, activation)
        activateBlocks(&z, rows: batch, width: width, offset: 3 * units, count: units, recurrentActivation)
        var c = [Float](repeating: 0, count: batch * units)
        for b in 0..<batch {
            let row = b * width
            for u in 0..<units {
                c[b * units + u] = z[row + units + u] * previousC[b * units + u] + z[row + u] * z[row + 2 * units + u]
            }
        }
        var h = c
        activation.apply(&h, rowWidth: units)
        for b in 0..<batch {
            for u in 0..<units { h[b * units + u] *= z[b * width + 3 * units + u] }
        }
        return (h, c)
    }

    /// GRU with the reset applied after the recurrent product (blocks z, r, h; `recurrent` includes the
    /// recurrent bias): `h_t = z * h_{t-1} + (1 - z) * act(x_h + r * rec_h)`.
    static func gruResetAfter(
        x: [Float], recurrent: [Float], previous: [Float], batch: Int, units: Int, activation: Activation,
        recurrentActivation: Activation
    ) -> [Float] {
        let width = 3 * units
        var gates = sum(x, recurrent)
        activateBlocks(&gates, rows: batch, width: width, offset: 0, count: 2 * units, recurrentActivation)
        var candidate = [Float](repeating: 0, count: batch * units)
        for b in 0..<batch {
            let row = b * width
            for u in 0..<units {
                candidate[b * units + u] =
                    x[row + 2 * units + u] + gates[row + units + u] * recurrent[row + 2 * units + u]
            }
        }
        activation.apply(&candidate, rowWidth: units)
        var h = [Float](repeating: 0, count: batch * units)
        for b in 0..<batch {
            for u in 0..<units {
                let z = gates[b * width + u]
                h[b * units + u] = z * previous[b * units + u] + (1 - z) * candidate[b * units + u]
            }
        }
        return h
    }

    /// GRU with the reset before the product, first half: the update gate `z` and `r * state` (the state
    /// the candidate's product takes), from `recurrent` holding the z and r blocks.
    static func gruUpdateAndReset(
        x: [Float], recurrent: [Float], candidateState: [Float], batch: Int, units: Int, recurrentActivation: Activation
    ) -> (z: [Float], resetState: [Float]) {
        let width = 3 * units
        var gates = sum(x, recurrent)
        activateBlocks(&gates, rows: batch, width: width, offset: 0, count: 2 * units, recurrentActivation)
        var z = [Float](repeating: 0, count: batch * units)
        var resetState = [Float](repeating: 0, count: batch * units)
        for b in 0..<batch {
            for u in 0..<units {
                z[b * units + u] = gates[b * width + u]
                resetState[b * units + u] = gates[b * width + units + u] * candidateState[b * units + u]
            }
        }
        return (z, resetState)
    }

    /// GRU with the reset before the product, second half: `h_t = z * h_{t-1} + (1 - z) * act(x_h + candidate)`.
    static func gruBlend(
        x: [Float], candidate: [Float], z: [Float], previous: [Float], batch: Int, units: Int, activation: Activation
    ) -> [Float] {
        let width = 3 * units
        var hh = [Float](repeating: 0, count: batch * units)
        for i in 0..<(batch * units) { hh[i] = x[(i / units) * width + 2 * units + i % units] + candidate[i] }
        activation.apply(&hh, rowWidth: units)
        var h = [Float](repeating: 0, count: batch * units)
        for i in 0..<(batch * units) { h[i] = z[i] * previous[i] + (1 - z[i]) * hh[i] }
        return h
    }
}
