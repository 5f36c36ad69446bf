/// A built-in cell whose inference step is a `Recurrence`: `RNN` runs it over whole sequences without
/// per-step allocation.
protocol FusedRecurrentCell: RecurrentCell {
    /// The input width the kernel is for.
    var inputSize: Int { get }
    var recurrence: Recurrence { get }
}

extension RNN {
    /// The whole sequence through `recurrence`: `x` is batch-major `[batch, timesteps, features]`,
    /// `states` checked. Returns the output values (`[batch, timesteps, units]` with `returnSequences`,
    /// `[batch, units]` without) and the final states.
    func runFused(_ recurrence: Recurrence, x: Tensor, states: [Tensor], mask: Mask?) -> (
        output: [Float], states: [Tensor]
    ) {
        let (batch, timesteps) = (x.shape[0], x.shape[1])
        let u = recurrence.units
        var h = states[0].scalars
        var c = recurrence.stateCount == 2 ? states[1].scalars : [Float](repeating: 0, count: 1)
        var last = [Float](repeating: 0, count: max(batch * u, 1))
        var sequence = [Float](repeating: 0, count: returnSequences ? max(batch * timesteps * u, 1) : 1)
        let maskValues = mask?.values ?? [false]
        // Multiply-adds of the call, in floating point: the product of four sizes may not fit an Int.
        let work = Int(min(Double(batch * timesteps) * Double(recurrence.width * (u + recurrence.inputSize)), 1e15))
        let groups = Parallelism.groups(batch: batch, work: work)
        let run = FusedRun(
            recurrence: recurrence, timesteps: timesteps, goBackwards: goBackwards, returnSequences: returnSequences,
            zeroOutputForMask: zeroOutputForMask, masked: mask != nil)
        x.scalars.withUnsafeBufferPointer { xs in
            h.withUnsafeMutableBufferPointer { hs in
                c.withUnsafeMutableBufferPointer { cs in
                    last.withUnsafeMutableBufferPointer { ls in
                        sequence.withUnsafeMutableBufferPointer { ss in
                            maskValues.withUnsafeBufferPointer { ms in
                                let buffers = FusedRun.Buffers(
                                    x: SharedPointer(base: UnsafeMutablePointer(mutating: xs.baseAddress!)),
                                    h: SharedPointer(base: hs.baseAddress!), c: SharedPointer(base: cs.baseAddress!),
                                    last: SharedPointer(base: ls.baseAddress!),
                                    sequence: SharedPointer(base: ss.baseAddress!),
                                    mask: SharedPointer(base: UnsafeMutablePointer(mutating: ms.baseAddress!)))
                                Parallelism.forEachGroup(groups) { group in
                                    run.group(
                                        from: batch * group / groups, to: batch * (group + 1) / groups,
                                        buffers: buffers)
                                }
                            }
                        }
                    }
                }
            }
        }
        var finalStates = [Tensor(shape: [batch, u], scalars: h)]
        if recurrence.stateCount == 2 { finalStates.append(Tensor(shape: [batch, u], scalars: c)) }
        if returnSequences { return (sequence.count == batch * timesteps * u ? sequence : [], finalStates) }
        return (last.count == batch * u ? last : [], finalStates)
    }
}

/// One fused call's settings; `group` runs a range of samples through every timestep.
struct FusedRun: Sendable {
    let recurrence: Recurrence
    let timesteps: Int
    let goBackwards: Bool
    let returnSequences: Bool
    let zeroOutputForMask: Bool
    let masked: Bool

    /// The call's arrays: `x [batch, T, F]`, `h` and `c` `[batch, units]` (in: initial, out: final),
    /// `last [batch, units]` (the last output), `sequence [batch, T, units]`, `mask [batch, T]`.
    struct Buffers: Sendable {
        let x, h, c, last, sequence: SharedPointer<Float>
        let mask: SharedPointer<Bool>
    }

    /// Bytes of projected inputs a group holds at once: the projection runs in blocks of timesteps.
    static let projectionBlockBytes = 1 << 20

    /// Samples `first..<end` through the whole sequence.
    func group(from first: Int, to end: Int, buffers: Buffers) {
        let rows = end - first
        guard rows > 0 else { return }
        let (u, w, f, steps) = (recurrence.units, recurrence.width, recurrence.inputSize, timesteps)
        let stepFloats = rows * w
        let blockSteps = max(1, min(steps, Self.projectionBlockBytes / 4 / max(stepFloats, 1)))
        // Each projection product takes the longer side: all rows of one timestep, or one row's timesteps.
        let timeMajorBlock = rows >= 4
        let z = UnsafeMutablePointer<Float>.allocate(capacity: max(blockSteps * stepFloats, 1))
        let spare = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * u, 1))
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(recurrence.scratchCount(rows: rows), 1))
        let gathered = UnsafeMutablePointer<Float>.allocate(
            capacity: timeMajorBlock ? max(blockSteps * rows * f, 1) : 1)
        defer {
            gathered.deallocate()
            z.deallocate()
            spare.deallocate()
            scratch.deallocate()
        }
        let x = UnsafePointer(buffers.x.base) + first * steps * f
        let hState = buffers.h.base + first * u
        let cell = recurrence.stateCount == 2 ? buffers.c.base + first * u : nil
        let last = buffers.last.base + first * u
        let mask = masked ? UnsafePointer(buffers.mask.base) + first * steps : nil
        var (previous, next) = (hState, spare)
        var (low, blockCount) = (0, 0)
        for k in 0..<steps {
            let t = goBackwards ? steps - 1 - k : k
            if k % blockSteps == 0 {
                blockCount = min(blockSteps, steps - k)
                low = goBackwards ? steps - k - blockCount : k
                project(
                    rows: rows, x: x, times: low..<(low + blockCount), into: z, timeMajor: timeMajorBlock,
                    gathered: gathered)
            }
            let zStep = timeMajorBlock ? z + (t - low) * stepFloats : z + (t - low) * w
            recurrence.step(
                rows: rows, z: zStep, zStride: timeMajorBlock ? w : blockCount * w, previous: previous, next: next,
                cell: cell, scratch: scratch, active: mask.map { $0 + t }, activeStride: steps,
                blas: rows > Recurrence.blasRows)
            write(
                rows: rows, step: k, time: t, h: next, last: last, mask: mask, sequence: buffers.sequence.base,
                first: first)
            swap(&previous, &next)
        }
        if previous != hState { hState.update(from: previous, count: rows * u) }
        if mask == nil { last.update(from: hState, count: rows * u) }
    }

    /// Projects timesteps `times` of the group's rows into `z` as `[times, rows, width]` (`timeMajor`,
    /// the rows first gathered into `gathered` so that one product covers the block) or `[rows, times,
    /// width]` (one product per row, for a row or two).
    private func project(
        rows: Int, x: UnsafePointer<Float>, times: Range<Int>, into z: UnsafeMutablePointer<Float>, timeMajor: Bool,
        gathered: UnsafeMutablePointer<Float>
    ) {
        let (w, f, steps) = (recurrence.width, recurrence.inputSize, timesteps)
        if timeMajor {
            for t in times {
                for b in 0..<rows {
                    (gathered + ((t - times.lowerBound) * rows + b) * f).update(from: x + (b * steps + t) * f, count: f)
                }
            }
            recurrence.project(m: times.count * rows, x: gathered, lda: f, into: z, ldz: w)
        } else {
            for b in 0..<rows {
                recurrence.project(
                    m: times.count, x: x + (b * steps + times.lowerBound) * f, lda: f, into: z + b * times.count * w,
                    ldz: w)
            }
        }
    }

    /// The outputs of step `step` (time `time`): the new `h` where the mask is true; the previous output
    /// or zeros where it is false (Keras's `zero_output_for_mask`).
    @inline(__always)
    private func write(
        rows: Int, step: Int, time: Int, h: UnsafeMutablePointer<Float>, last: UnsafeMutablePointer<Float>,
        mask: UnsafePointer<Bool>?, sequence: UnsafeMutablePointer<Float>, first: Int
    ) {
        let u = recurrence.units
        for b in 0..<rows {
            var row = UnsafePointer(h + b * u)
            if let mask {
                let output = last + b * u
                if mask[b * timesteps + time] {
                    output.update(from: row, count: u)
                } else if zeroOutputForMask {
                    output.update(repeating: 0, count: u)
                }
                row = UnsafePointer(output)
            }
            if returnSequences { (sequence + ((first + b) * timesteps + step) * u).update(from: row, count: u) }
        }
    }
}
