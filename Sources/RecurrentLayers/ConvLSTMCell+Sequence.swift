import CKernels

extension ConvLSTMCell {
    /// A whole sequence at inference with nothing allocated per timestep: `flat` is the input, `[batch *
    /// timesteps, step shape...]`, checked; its convolution is taken for every timestep at once; each step
    /// gathers `h`'s windows into a workspace, adds one product with the recurrent kernel (packed once,
    /// `rnnkit_gemm_packed`: each sum in the same order however samples are grouped), and runs the gates
    /// in place, channels last; outputs go straight into the result in the cell's layout. Samples run in
    /// independent groups (`Parallelism`), so the numbers do not depend on the thread count.
    /// - Returns: The output values (`[batch, timesteps, output shape]` with `returnSequences`, `[batch,
    ///   output shape]` without) and the final `[h, c]`.
    func runSequence(
        inputs flat: Tensor, batch: Int, timesteps: Int, states: [Tensor], mask: Mask?, goBackwards: Bool,
        returnSequences: Bool, zeroOutputForMask: Bool
    ) -> (output: [Float], states: [Tensor]) {
        let stateFloats = geometry.outputCount * filters
        var h = channelsLastValues(states[0])
        var c = channelsLastValues(states[1])
        var last = [Float](repeating: 0, count: h.count)
        var sequence = [Float](repeating: 0, count: returnSequences ? batch * timesteps * stateFloats : 1)
        let maskValues = (0..<(mask == nil ? 0 : batch * timesteps)).map { mask![$0 / timesteps, $0 % timesteps] }
        let columns = recurrentGeometry.windowCount * filters
        let packed = Recurrence.pack(recurrentKernel.scalars, k: columns, ldb: 4 * filters, columns: 0..<(4 * filters))
        let run = ConvLSTMRun(
            cell: self, packed: packed, timesteps: timesteps, goBackwards: goBackwards,
            returnSequences: returnSequences, zeroOutputForMask: zeroOutputForMask, masked: mask != nil)
        let work = Double(batch * timesteps) * Double(geometry.outputCount) * Double(columns * 4 * filters)
        let groups = max(1, min(batch, Int(min(work, 1e15)) / Parallelism.minimumWork, Parallelism.maximumGroups))
        // Each group projects its own samples inside the groups, where BLAS is single-threaded: the input
        // part then does not depend on how many threads BLAS had (which other calls may change meanwhile).
        let gateFloats = geometry.outputCount * 4 * filters
        let stepSize = flat.scalars.count / max(batch * timesteps, 1)
        var projected = [Float](repeating: 0, count: max(batch * timesteps * gateFloats, 1))
        projected.withUnsafeMutableBufferPointer { ps in
            h.withUnsafeMutableBufferPointer { hs in
                c.withUnsafeMutableBufferPointer { cs in
                    last.withUnsafeMutableBufferPointer { ls in
                        sequence.withUnsafeMutableBufferPointer { ss in
                            maskValues.withUnsafeBufferPointer { ms in
                                let buffers = ConvLSTMRun.Buffers(
                                    projected: SharedPointer(base: ps.baseAddress!),
                                    h: SharedPointer(base: hs.baseAddress!), c: SharedPointer(base: cs.baseAddress!),
                                    last: SharedPointer(base: ls.baseAddress!),
                                    sequence: SharedPointer(base: ss.baseAddress!),
                                    mask: mask == nil
                                        ? nil : SharedPointer(base: UnsafeMutablePointer(mutating: ms.baseAddress!))
                                )
                                Parallelism.forEachGroup(groups) { group in
                                    let (low, high) = (batch * group / groups, batch * (group + 1) / groups)
                                    let slice = Tensor(
                                        shape: [(high - low) * timesteps] + Array(flat.shape.dropFirst()),
                                        scalars: Array(
                                            flat.scalars[(low * timesteps * stepSize)..<(high * timesteps * stepSize)]))
                                    // The shapes were checked before the call (checkStepInput): this cannot throw.
                                    if let part = try? projectInputs(slice)?.scalars, !part.isEmpty {
                                        part.withUnsafeBufferPointer {
                                            (buffers.projected.base + low * timesteps * gateFloats).update(
                                                from: $0.baseAddress!, count: part.count)
                                        }
                                    }
                                    run.samples(from: low, to: high, buffers: buffers)
                                }
                            }
                        }
                    }
                }
            }
        }
        let output: [Float]
        if returnSequences {
            output = sequence
        } else {
            output = stored(mask == nil ? h : last, batch: batch)
        }
        let shape = [batch] + stateShapes[0]
        return (output, [stored(h, batch: batch), stored(c, batch: batch)].map { Tensor(shape: shape, scalars: $0) })
    }

    /// A state's values channels last (`[batch, positions, filters]`).
    private func channelsLastValues(_ tensor: Tensor) -> [Float] {
        guard channelsFirst else { return tensor.scalars }
        return tensor.permuted([0] + Array(2..<tensor.rank) + [1]).scalars
    }

    /// Channels-last values of `batch` samples in the cell's layout.
    private func stored(_ values: [Float], batch: Int) -> [Float] {
        guard channelsFirst else { return values }
        var result = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { from in
            result.withUnsafeMutableBufferPointer { to in
                for b in 0..<batch {
                    let at = b * geometry.outputCount * filters
                    ConvLSTMRun.store(
                        from.baseAddress! + at, into: to.baseAddress! + at, positions: geometry.outputCount,
                        filters: filters, channelsFirst: true)
                }
            }
        }
        return result
    }
}

/// One ConvLSTM call's settings; `samples` runs a range of samples through every timestep.
struct ConvLSTMRun: Sendable {
    let cell: ConvLSTMCell
    let packed: [Float]
    let timesteps: Int
    let goBackwards: Bool
    let returnSequences: Bool
    let zeroOutputForMask: Bool
    let masked: Bool

    /// The call's arrays, channels last: `projected [batch, T, positions, 4 filters]`, `h`, `c` and `last`
    /// `[batch, positions, filters]` (in: initial, out: final), `sequence [batch, T, output]` in the cell's
    /// layout, `mask [batch, T]` or nil.
    struct Buffers: Sendable {
        let projected, h, c, last, sequence: SharedPointer<Float>
        let mask: SharedPointer<Bool>?
    }

    /// Samples `first..<end` through the whole sequence, with workspaces of their own.
    func samples(from first: Int, to end: Int, buffers: Buffers) {
        let count = end - first
        guard count > 0 else { return }
        let (f, positions, windows) = (cell.filters, cell.geometry.outputCount, cell.recurrentGeometry.windowCount)
        let (stateFloats, gateFloats, columns) = (positions * f, positions * 4 * f, windows * f)
        let rows = count * positions
        let patches = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * columns, 1))
        let z = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * 4 * f, 1))
        let spare = UnsafeMutablePointer<Float>.allocate(capacity: max(count * stateFloats, 1))
        defer {
            patches.deallocate()
            z.deallocate()
            spare.deallocate()
        }
        let hState = buffers.h.base + first * stateFloats
        let c = buffers.c.base + first * stateFloats
        let last = buffers.last.base + first * stateFloats
        var (previous, next) = (hState, spare)
        cell.recurrentGeometry.sources.withUnsafeBufferPointer { sources in
            packed.withUnsafeBufferPointer { packed in
                for k in 0..<timesteps {
                    let t = goBackwards ? timesteps - 1 - k : k
                    for s in 0..<count {
                        (z + s * gateFloats).update(
                            from: buffers.projected.base + ((first + s) * timesteps + t) * gateFloats, count: gateFloats
                        )
                        for o in 0..<positions {
                            let row = patches + (s * positions + o) * columns
                            for w in 0..<windows {
                                let source = Int(sources[o * windows + w])
                                if source < 0 {
                                    (row + w * f).update(repeating: 0, count: f)
                                } else {
                                    (row + w * f).update(from: previous + (s * positions + source) * f, count: f)
                                }
                            }
                        }
                    }
                    rnnkit_gemm_packed(rows, 4 * f, columns, patches, columns, packed.baseAddress!, z, 4 * f, 1)
                    for s in 0..<count {
                        let active = buffers.mask.map { $0.base[(first + s) * timesteps + t] } ?? true
                        guard active else {
                            (next + s * stateFloats).update(from: previous + s * stateFloats, count: stateFloats)
                            continue
                        }
                        for r in (s * positions)..<((s + 1) * positions) {
                            Recurrence.lstmGates(
                                z + r * 4 * f, c: c + r * f, h: next + r * f, units: f, activation: cell.activation,
                                recurrentActivation: cell.recurrentActivation)
                        }
                    }
                    for s in 0..<count {
                        var values = UnsafePointer(next + s * stateFloats)
                        if let mask = buffers.mask {
                            let output = last + s * stateFloats
                            if mask.base[(first + s) * timesteps + t] {
                                output.update(from: values, count: stateFloats)
                            } else if zeroOutputForMask {
                                output.update(repeating: 0, count: stateFloats)
                            }
                            values = UnsafePointer(output)
                        }
                        if returnSequences {
                            Self.store(
                                values, into: buffers.sequence.base + ((first + s) * timesteps + k) * stateFloats,
                                positions: positions, filters: f, channelsFirst: cell.channelsFirst)
                        }
                    }
                    swap(&previous, &next)
                }
            }
        }
        if previous != hState { hState.update(from: previous, count: count * stateFloats) }
    }

    /// One sample's channels-last `[positions, filters]` written in the cell's layout.
    @inline(__always)
    static func store(
        _ values: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, positions: Int, filters: Int,
        channelsFirst: Bool
    ) {
        guard channelsFirst else { return target.update(from: values, count: positions * filters) }
        for o in 0..<positions {
            for j in 0..<filters { target[j * positions + o] = values[o * filters + j] }
        }
    }
}
