#if canImport(Accelerate)
    import Accelerate
#else
    import CBLAS
#endif

extension ConvLSTMCell {
    /// A whole sequence at inference with nothing allocated per timestep: the input convolution of every
    /// timestep is `projected` (`projectInputs`, `[batch * timesteps, positions * 4 filters]`); each step
    /// gathers `h`'s windows into a workspace, adds one product with the recurrent kernel, and runs the
    /// gates in place, channels last; outputs go straight into the result in the cell's layout.
    /// - Returns: The output values (`[batch, timesteps, output shape]` with `returnSequences`, `[batch,
    ///   output shape]` without) and the final `[h, c]`.
    func runSequence(
        projected: [Float], batch: Int, timesteps: Int, states: [Tensor], mask: Mask?, goBackwards: Bool,
        returnSequences: Bool, zeroOutputForMask: Bool
    ) -> (output: [Float], states: [Tensor]) {
        let positions = geometry.outputCount
        let (f, windows) = (filters, recurrentGeometry.windowCount)
        let stateFloats = positions * f
        let rows = batch * positions
        let columns = windows * f
        var h = channelsLastValues(states[0])
        var c = channelsLastValues(states[1])
        var spare = [Float](repeating: 0, count: h.count)
        var last = [Float](repeating: 0, count: h.count)
        var patches = [Float](repeating: 0, count: max(rows * columns, 1))
        var z = [Float](repeating: 0, count: max(rows * 4 * f, 1))
        var sequence = [Float](repeating: 0, count: returnSequences ? batch * timesteps * stateFloats : 0)
        let sources = recurrentGeometry.sources
        let recurrent = recurrentKernel.scalars
        for k in 0..<timesteps {
            let t = goBackwards ? timesteps - 1 - k : k
            // z = the step's input part, then += patches(h) · recurrent kernel.
            let gateFloats = positions * 4 * f
            z.withUnsafeMutableBufferPointer { zs in
                projected.withUnsafeBufferPointer { ps in
                    for b in 0..<batch {
                        (zs.baseAddress! + b * gateFloats).update(
                            from: ps.baseAddress! + (b * timesteps + t) * gateFloats, count: gateFloats)
                    }
                }
            }
            for b in 0..<batch {
                for o in 0..<positions {
                    let row = (b * positions + o) * columns
                    for w in 0..<windows {
                        let source = Int(sources[o * windows + w])
                        let to = row + w * f
                        if source < 0 {
                            for j in 0..<f { patches[to + j] = 0 }
                        } else {
                            let at = (b * positions + source) * f
                            for j in 0..<f { patches[to + j] = h[at + j] }
                        }
                    }
                }
            }
            patches.withUnsafeBufferPointer { a in
                recurrent.withUnsafeBufferPointer { r in
                    z.withUnsafeMutableBufferPointer { zs in
                        Recurrence.gemm(
                            rows, 4 * f, columns, a.baseAddress!, columns, r.baseAddress!, 4 * f, zs.baseAddress!,
                            4 * f, beta: 1)
                    }
                }
            }
            z.withUnsafeMutableBufferPointer { zs in
                c.withUnsafeMutableBufferPointer { cs in
                    spare.withUnsafeMutableBufferPointer { next in
                        h.withUnsafeBufferPointer { previous in
                            for b in 0..<batch {
                                let state = b * stateFloats
                                guard mask?[b, t] ?? true else {
                                    (next.baseAddress! + state).update(
                                        from: previous.baseAddress! + state, count: stateFloats)
                                    continue
                                }
                                for o in 0..<positions {
                                    let r = b * positions + o
                                    Recurrence.lstmGates(
                                        zs.baseAddress! + r * 4 * f, c: cs.baseAddress! + r * f,
                                        h: next.baseAddress! + r * f, units: f, activation: activation,
                                        recurrentActivation: recurrentActivation)
                                }
                            }
                        }
                    }
                }
            }
            swap(&h, &spare)
            for b in 0..<batch {
                if let mask {
                    last.withUnsafeMutableBufferPointer { ls in
                        h.withUnsafeBufferPointer { hs in
                            let at = b * stateFloats
                            if mask[b, t] {
                                (ls.baseAddress! + at).update(from: hs.baseAddress! + at, count: stateFloats)
                            } else if zeroOutputForMask {
                                (ls.baseAddress! + at).update(repeating: 0, count: stateFloats)
                            }
                        }
                    }
                }
                if returnSequences {
                    let values = mask == nil ? h : last
                    storeStep(values, sample: b, into: &sequence, at: (b * timesteps + k) * stateFloats)
                }
            }
        }
        let output: [Float]
        if returnSequences {
            output = sequence
        } else {
            var final = [Float](repeating: 0, count: batch * stateFloats)
            for b in 0..<batch { storeStep(mask == nil ? h : last, sample: b, into: &final, at: b * stateFloats) }
            output = final
        }
        let shape = [batch] + stateShapes[0]
        let final = [storedTensor(h, batch: batch), storedTensor(c, batch: batch)]
        return (output, final.map { Tensor(shape: shape, scalars: $0) })
    }

    /// A state's values channels last (`[batch, positions, filters]`).
    private func channelsLastValues(_ tensor: Tensor) -> [Float] {
        guard channelsFirst else { return tensor.scalars }
        return tensor.permuted([0] + Array(2..<tensor.rank) + [1]).scalars
    }

    /// Channels-last values of all samples in the cell's layout.
    private func storedTensor(_ values: [Float], batch: Int) -> [Float] {
        guard channelsFirst else { return values }
        var result = [Float](repeating: 0, count: values.count)
        for b in 0..<batch { storeStep(values, sample: b, into: &result, at: b * geometry.outputCount * filters) }
        return result
    }

    /// Sample `sample` of channels-last `values` written at `offset` of `target`, in the cell's layout.
    @inline(__always)
    private func storeStep(_ values: [Float], sample: Int, into target: inout [Float], at offset: Int) {
        let (positions, f) = (geometry.outputCount, filters)
        let from = sample * positions * f
        target.withUnsafeMutableBufferPointer { to in
            values.withUnsafeBufferPointer { values in
                guard channelsFirst else {
                    (to.baseAddress! + offset).update(from: values.baseAddress! + from, count: positions * f)
                    return
                }
                for o in 0..<positions {
                    for j in 0..<f { to[offset + j * positions + o] = values[from + o * f + j] }
                }
            }
        }
    }
}
