/// Gate arithmetic of the built-in cells, beside the products it follows. Inputs are row-major
/// `[batch, gates * units]` blocks: `x` the input part (bias included), `recurrent` the state part.
extension Kernels {
    /// LSTM (gate blocks i, f, c, o): `c_t = f * c_{t-1} + i * act(g)`, `h_t = o * act(c_t)`.
    static func lstmGates(
        x: [Float], recurrent: [Float], previousC: [Float], batch: Int, units: Int, activation: Activation,
        recurrentActivation: Activation
    ) -> (h: [Float], c: [Float]) {
        let width = 4 * units
        var h = [Float](repeating: 0, count: batch * units)
        var c = [Float](repeating: 0, count: batch * units)
        for b in 0..<batch {
            let row = b * width
            for u in 0..<units {
                let i = recurrentActivation.scalar(x[row + u] + recurrent[row + u])
                let f = recurrentActivation.scalar(x[row + units + u] + recurrent[row + units + u])
                let g = activation.scalar(x[row + 2 * units + u] + recurrent[row + 2 * units + u])
                let o = recurrentActivation.scalar(x[row + 3 * units + u] + recurrent[row + 3 * units + u])
                let cell = f * previousC[b * units + u] + i * g
                c[b * units + u] = cell
                h[b * units + u] = o * activation.scalar(cell)
            }
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
        var h = [Float](repeating: 0, count: batch * units)
        for b in 0..<batch {
            let row = b * width
            for u in 0..<units {
                let z = recurrentActivation.scalar(x[row + u] + recurrent[row + u])
                let reset = recurrentActivation.scalar(x[row + units + u] + recurrent[row + units + u])
                let candidate = activation.scalar(x[row + 2 * units + u] + reset * recurrent[row + 2 * units + u])
                h[b * units + u] = z * previous[b * units + u] + (1 - z) * candidate
            }
        }
        return h
    }

    /// GRU with the reset applied before the product, first half: the update gate `z` and `r * state`
    /// (the state the candidate's product takes), from `recurrent` holding the z and r blocks.
    static func gruUpdateAndReset(
        x: [Float], recurrent: [Float], candidateState: [Float], batch: Int, units: Int, recurrentActivation: Activation
    ) -> (z: [Float], resetState: [Float]) {
        let width = 3 * units
        var z = [Float](repeating: 0, count: batch * units)
        var resetState = [Float](repeating: 0, count: batch * units)
        for b in 0..<batch {
            for u in 0..<units {
                z[b * units + u] = recurrentActivation.scalar(x[b * width + u] + recurrent[b * width + u])
                let reset = recurrentActivation.scalar(x[b * width + units + u] + recurrent[b * width + units + u])
                resetState[b * units + u] = reset * candidateState[b * units + u]
            }
        }
        return (z, resetState)
    }

    /// GRU with the reset before the product, second half: `h_t = z * h_{t-1} + (1 - z) * act(x_h + candidate)`.
    static func gruBlend(
        x: [Float], candidate: [Float], z: [Float], previous: [Float], batch: Int, units: Int, activation: Activation
    ) -> [Float] {
        let width = 3 * units
        var h = [Float](repeating: 0, count: batch * units)
        for i in 0..<(batch * units) {
            let hh = activation.scalar(x[(i / units) * width + 2 * units + i % units] + candidate[i])
            h[i] = z[i] * previous[i] + (1 - z[i]) * hh
        }
        return h
    }
}
