import Foundation

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
        let groups = Self.groups(recurrence, batch: batch, timesteps: timesteps)
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
                                if groups == 1, run.pipelines(rows: batch) {
                                    run.group(from: 0, to: batch, buffers: buffers, pipelined: true)
                                } else {
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
        }
        var finalStates = [Tensor(shape: [batch, u], scalars: h)]
        if recurrence.stateCount == 2 { finalStates.append(Tensor(shape: [batch, u], scalars: c)) }
        if returnSequences { return (sequence.count == batch * timesteps * u ? sequence : [], finalStates) }
        return (last.count == batch * u ? last : [], finalStates)
    }
}

extension RNN {
    /// For tests: true when a fused inference call on `batch` samples of `timesteps` steps would project its
    /// input blocks on a second thread ahead of the steps, given a thread to spare (`FusedRun.pipelines`).
    package func projectsAhead(batch: Int, timesteps: Int) -> Bool {
        guard let fused = cell as? any FusedRecurrentCell else { return false }
        let run = FusedRun(
            recurrence: fused.recurrence, timesteps: timesteps, goBackwards: goBackwards,
            returnSequences: returnSequences, zeroOutputForMask: zeroOutputForMask, masked: false)
        return Self.groups(fused.recurrence, batch: batch, timesteps: timesteps) == 1 && run.pipelinePays(rows: batch)
    }

    /// The sample groups of a fused call (`Parallelism.groups` by the call's multiply-adds, counted in floating
    /// point: the product of four sizes may not fit an Int).
    static func groups(_ recurrence: Recurrence, batch: Int, timesteps: Int) -> Int {
        let work = min(
            Double(batch * timesteps) * Double(recurrence.width * (recurrence.units + recurrence.inputSize)), 1e15)
        return Parallelism.groups(batch: batch, work: Int(work))
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
    /// Timesteps a block holds when a call is one small group (under `Parallelism.minimumRows` samples): short
    /// blocks, so that a second thread can project the next ones while the steps run (`pipelines`).
    static let smallGroupBlockSteps = 16
    /// Multiply-adds a block's projection must have for the helper to pay (below, as for a SimpleRNN of 128
    /// units on 64 features at batch 1, waking and handing over cost what the helper saves).
    static let pipelineBlockWork = 400_000
    /// Bytes of projected inputs a pipelined call may hold (its whole sequence).
    static let pipelineBytes = 8 << 20

    /// Timesteps per projected block for a group of `rows` samples: a function of the problem alone, so
    /// that the numbers do not depend on the threads.
    func blockSteps(rows: Int) -> Int {
        let blockSteps = max(1, min(timesteps, Self.projectionBlockBytes / 4 / max(rows * recurrence.width, 1)))
        return rows < Parallelism.minimumRows ? min(blockSteps, Self.smallGroupBlockSteps) : blockSteps
    }

    /// True when a call of `rows` samples in one group is better off with a second thread projecting the input
    /// blocks ahead of the steps (a small batch over a long sequence, a thread to spare, not already inside
    /// another layer's threads, the whole projection within `pipelineBytes`).
    func pipelines(rows: Int) -> Bool {
        Parallelism.spareThread && pipelinePays(rows: rows)
    }

    /// The problem-size half of `pipelines`: blocks of enough work, enough of them, within `pipelineBytes`.
    func pipelinePays(rows: Int) -> Bool {
        let floats = rows * timesteps * recurrence.width
        let blockWork = rows * blockSteps(rows: rows) * recurrence.inputSize * recurrence.width
        return timesteps > 2 * blockSteps(rows: rows) && blockWork >= Self.pipelineBlockWork
            && floats * 4 <= Self.pipelineBytes
    }

    /// Samples `first..<end` through the whole sequence; `pipelined`, a second thread projects the blocks of
    /// timesteps ahead (the same blocks, so the same numbers).
    func group(from first: Int, to end: Int, buffers: Buffers, pipelined: Bool = false) {
        let rows = end - first
        guard rows > 0 else { return }
        let (u, w, f, steps) = (recurrence.units, recurrence.width, recurrence.inputSize, timesteps)
        let stepFloats = rows * w
        let blockSteps = blockSteps(rows: rows)
        let blocks = (steps + blockSteps - 1) / blockSteps
        // Each projection product takes the longer side: all rows of one timestep, or one row's timesteps.
        let timeMajorBlock = rows >= 4
        // Pipelined, every block has its own place (and each thread its own gathering space); otherwise one
        // block's place is reused.
        let places = pipelined ? blocks : 1
        let gatherFloats = timeMajorBlock ? blockSteps * rows * f : 0
        let z = UnsafeMutablePointer<Float>.allocate(capacity: max(places * blockSteps * stepFloats, 1))
        let spare = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * u, 1))
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(recurrence.scratchCount(rows: rows), 1))
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: max((pipelined ? 2 : 1) * gatherFloats, 1))
        defer {
            gathered.deallocate()
            z.deallocate()
            spare.deallocate()
            scratch.deallocate()
        }
        let context = StepContext(
            x: UnsafePointer(buffers.x.base) + first * steps * f, h: buffers.h.base + first * u,
            cell: recurrence.stateCount == 2 ? buffers.c.base + first * u : nil, last: buffers.last.base + first * u,
            mask: masked ? UnsafePointer(buffers.mask.base) + first * steps : nil, z: z, spare: spare,
            scratch: scratch, gathered: gathered)
        // Block `k`'s timesteps (in the order the steps take them) and where its projection goes.
        let block: @Sendable (Int) -> (times: Range<Int>, z: UnsafeMutablePointer<Float>) = { k in
            let count = min(blockSteps, steps - k * blockSteps)
            let low = goBackwards ? steps - k * blockSteps - count : k * blockSteps
            return (low..<(low + count), context.z + (pipelined ? k * blockSteps * stepFloats : 0))
        }
        let pipeline = pipelined ? ProjectionPipeline(blocks: blocks) : nil
        let runSteps: @Sendable () -> Void = {
            var (previous, next) = (context.h, context.spare)
            var (low, count, zBlock) = (0, 0, context.z)
            for k in 0..<steps {
                let t = goBackwards ? steps - 1 - k : k
                if k % blockSteps == 0 {
                    let (times, place) = block(k / blockSteps)
                    (low, count, zBlock) = (times.lowerBound, times.count, place)
                    if pipeline?.claim(k / blockSteps) ?? true {
                        project(
                            rows: rows, x: context.x, times: times, into: place, timeMajor: timeMajorBlock,
                            gathered: context.gathered)
                        pipeline?.finish(k / blockSteps)
                    } else {
                        pipeline?.wait(k / blockSteps)
                    }
                }
                let zStep = timeMajorBlock ? zBlock + (t - low) * stepFloats : zBlock + (t - low) * w
                recurrence.step(
                    rows: rows, z: zStep, zStride: timeMajorBlock ? w : count * w,
                    previous: previous, next: next, cell: context.cell, scratch: context.scratch,
                    active: context.mask.map { $0 + t }, activeStride: steps, blas: rows > Recurrence.blasRows)
                write(
                    rows: rows, step: k, time: t, h: next, last: context.last, mask: context.mask,
                    sequence: buffers.sequence.base, first: first)
                swap(&previous, &next)
            }
            if previous != context.h { context.h.update(from: previous, count: rows * u) }
            if context.mask == nil { context.last.update(from: context.h, count: rows * u) }
        }
        guard let pipeline else { return runSteps() }
        // The helper's half: every block nobody has claimed yet, in order, ahead of the steps.
        let projectAhead: @Sendable () -> Void = {
            for k in 0..<blocks where pipeline.claim(k) {
                let (times, place) = block(k)
                project(
                    rows: rows, x: context.x, times: times, into: place, timeMajor: timeMajorBlock,
                    gathered: context.gathered + gatherFloats)
                pipeline.finish(k)
            }
        }
        Parallelism.pipeline(runSteps, helper: projectAhead)
    }

    /// The raw buffers of one group's run, shared by the stepping thread and the projecting helper (each
    /// writes its own parts: the helper only blocks of `z` and its half of `gathered`).
    struct StepContext: @unchecked Sendable {
        let x: UnsafePointer<Float>
        let h: UnsafeMutablePointer<Float>
        let cell: UnsafeMutablePointer<Float>?
        let last: UnsafeMutablePointer<Float>
        let mask: UnsafePointer<Bool>?
        let z, spare, scratch, gathered: UnsafeMutablePointer<Float>
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

/// Which blocks of projected inputs are claimed and which are done, for a stepping thread and a helper that
/// projects ahead: whoever claims a block computes it, so neither waits for a block nobody is computing
/// (if the helper never gets a thread, the steps project every block themselves).
final class ProjectionPipeline: @unchecked Sendable {
    // @unchecked: `claimed` and `done` are read and written under `condition`'s lock only.
    private let condition = NSCondition()
    private var claimed: [Bool]
    private var done: [Bool]

    init(blocks: Int) {
        claimed = Array(repeating: false, count: blocks)
        done = Array(repeating: false, count: blocks)
    }

    /// Claims block `k` if nobody has: true when the caller must now compute it.
    func claim(_ k: Int) -> Bool {
        condition.withLock {
            if claimed[k] { return false }
            claimed[k] = true
            return true
        }
    }

    /// Block `k` is computed.
    func finish(_ k: Int) {
        condition.withLock {
            done[k] = true
            condition.broadcast()
        }
    }

    /// Waits until block `k` (claimed by the other thread) is computed: briefly by checking (a block takes
    /// microseconds, and waking from a sleep can take tens of them), then asleep.
    func wait(_ k: Int) {
        for _ in 0..<20_000 {
            if condition.withLock({ done[k] }) { return }
        }
        condition.withLock {
            while !done[k] { condition.wait() }
        }
    }
}
