import CKernels

#if canImport(Accelerate)
    import Accelerate
#else
    import CBLAS
#endif

/// The recurrence of a built-in cell (SimpleRNN, LSTM, GRU in both reset placements) as one fused
/// step over raw buffers: one matrix product for all gates (two for GRU with the reset before the
/// product, as in Keras), the gate arithmetic in place, nothing allocated. `RNN` runs whole sequences
/// through it and `RecurrentStream` single steps; the cells' `step` stays the reference and the path
/// for dropout and custom cells.
struct Recurrence: Sendable {
    enum Kind: Sendable {
        case simple, lstm, gruResetAfter, gruResetBefore
    }

    let kind: Kind
    let units: Int
    let activation: Activation
    let recurrentActivation: Activation
    /// The input width.
    let inputSize: Int
    /// `[inputSize, gates * units]`, row-major.
    let kernel: [Float]
    /// The input bias `[gates * units]`, or nil.
    let inputBias: [Float]?
    /// `[units, gates * units]`, row-major.
    let recurrentKernel: [Float]
    /// GRU with the reset after the product: the recurrent bias row `[3 units]`, or nil.
    let recurrentBias: [Float]?
    /// The recurrent kernel packed for `rnnkit_gemm_packed` (GRU with the reset before the product: its
    /// z and r columns only).
    let packedRecurrent: [Float]
    /// GRU with the reset before the product: the candidate columns of the recurrent kernel, packed.
    let packedCandidate: [Float]

    /// `packed` keeps the packed recurrent kernel between calls (the cell's weights hold one); without
    /// it the kernel is packed here.
    init(
        kind: Kind, units: Int, activation: Activation, recurrentActivation: Activation, inputSize: Int,
        kernel: [Float], inputBias: [Float]?, recurrentKernel: [Float], recurrentBias: [Float]?,
        packed: PackedKernel? = nil
    ) {
        self.kind = kind
        self.units = units
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.inputSize = inputSize
        self.kernel = kernel
        self.inputBias = inputBias
        self.recurrentKernel = recurrentKernel
        self.recurrentBias = recurrentBias
        let width = recurrentKernel.count / max(units, 1)
        let before = kind == .gruResetBefore
        let make = {
            (
                recurrent: Self.pack(recurrentKernel, k: units, ldb: width, columns: 0..<(before ? 2 * units : width)),
                candidate: before ? Self.pack(recurrentKernel, k: units, ldb: width, columns: (2 * units)..<width) : []
            )
        }
        (packedRecurrent, packedCandidate) = packed?.columns(split: before, make: make) ?? make()
    }

    /// Columns `columns` of a `[k, ldb]` row-major matrix, packed for `rnnkit_gemm_packed`.
    static func pack(_ matrix: [Float], k: Int, ldb: Int, columns: Range<Int>) -> [Float] {
        let count = rnnkit_packed_count(k, columns.count)
        return [Float](unsafeUninitializedCapacity: max(count, 1)) { buffer, initialized in
            matrix.withUnsafeBufferPointer {
                rnnkit_pack($0.baseAddress! + columns.lowerBound, ldb, k, columns.count, buffer.baseAddress!)
            }
            initialized = max(count, 1)
            if count == 0 { buffer[0] = 0 }
        }
    }

    /// Above this many rows in a group, the recurrent products go through SGEMM, which packs its own
    /// operands and blocks for the caches; below, the packed kernel wins (no packing per step).
    static let blasRows = 64

    /// Gate blocks per unit: the width of a projected input row is `gates * units`.
    var gates: Int {
        switch kind {
        case .simple: 1
        case .lstm: 4
        case .gruResetAfter, .gruResetBefore: 3
        }
    }

    /// The width of one projected input row (`x · kernel + bias`).
    var width: Int { gates * units }

    /// States per sample: `[h]`, or `[h, c]` for LSTM.
    var stateCount: Int { kind == .lstm ? 2 : 1 }

    /// Floats of scratch one step needs for `rows` samples.
    func scratchCount(rows: Int) -> Int {
        switch kind {
        case .simple, .lstm: 0
        case .gruResetAfter: rows * 3 * units
        case .gruResetBefore: rows * units
        }
    }

    /// `z[i] = x[i] · kernel + inputBias` for `m` input rows at `x + i * lda`, written at `z + i * ldz`.
    func project(m: Int, x: UnsafePointer<Float>, lda: Int, into z: UnsafeMutablePointer<Float>, ldz: Int) {
        let w = width
        for i in 0..<m {
            if let inputBias {
                inputBias.withUnsafeBufferPointer { (z + i * ldz).update(from: $0.baseAddress!, count: w) }
            } else {
                (z + i * ldz).update(repeating: 0, count: w)
            }
        }
        kernel.withUnsafeBufferPointer { Self.gemm(m, w, inputSize, x, lda, $0.baseAddress!, w, z, ldz, beta: 1) }
    }

    /// One timestep for `rows` samples.
    /// - Parameters:
    ///   - z: The projected inputs of this step (bias included), row `b` at `z + b * zStride`, `width`
    ///     wide; overwritten with the gates.
    ///   - previous: `h_{t-1}`, `[rows, units]` contiguous.
    ///   - next: Receives `h_t`, `[rows, units]`; a sample whose `active` flag is false keeps `previous`.
    ///   - cell: LSTM's `c`, `[rows, units]`, updated in place (kept for inactive samples); nil otherwise.
    ///   - scratch: `scratchCount(rows:)` floats.
    ///   - active: The mask flag of row `b` at `active[b * activeStride]`, or nil when every row is real.
    ///   - blas: Recurrent products through SGEMM (faster from about 64 rows) instead of the packed kernel.
    func step(
        rows: Int, z: UnsafeMutablePointer<Float>, zStride: Int, previous: UnsafePointer<Float>,
        next: UnsafeMutablePointer<Float>, cell: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>?,
        active: UnsafePointer<Bool>?, activeStride: Int, blas: Bool = false
    ) {
        let u = units
        @inline(__always) func isActive(_ b: Int) -> Bool { active.map { $0[b * activeStride] } ?? true }
        packedRecurrent.withUnsafeBufferPointer { packed in
            let r = packed.baseAddress!
            switch kind {
            case .simple:
                product(rows, u, previous, r, 0, z, zStride, accumulate: true, blas: blas)
                for b in 0..<rows {
                    let h = next + b * u
                    guard isActive(b) else {
                        h.update(from: previous + b * u, count: u)
                        continue
                    }
                    let row = z + b * zStride
                    activation.apply(to: UnsafeMutableBufferPointer(start: row, count: u))
                    h.update(from: row, count: u)
                }
            case .lstm:
                product(rows, 4 * u, previous, r, 0, z, zStride, accumulate: true, blas: blas)
                for b in 0..<rows {
                    let h = next + b * u
                    guard isActive(b) else {
                        h.update(from: previous + b * u, count: u)
                        continue
                    }
                    Self.lstmGates(
                        z + b * zStride, c: cell! + b * u, h: h, units: u, activation: activation,
                        recurrentActivation: recurrentActivation)
                }
            case .gruResetAfter:
                let recurrent = scratch!
                product(rows, 3 * u, previous, r, 0, recurrent, 3 * u, accumulate: false, blas: blas)
                for b in 0..<rows {
                    let h = next + b * u
                    let h0 = previous + b * u
                    guard isActive(b) else {
                        h.update(from: h0, count: u)
                        continue
                    }
                    let row = z + b * zStride
                    let rec = recurrent + b * 3 * u
                    if let recurrentBias {
                        for j in 0..<(3 * u) { rec[j] += recurrentBias[j] }
                    }
                    for j in 0..<(2 * u) { row[j] += rec[j] }
                    recurrentActivation.apply(to: UnsafeMutableBufferPointer(start: row, count: 2 * u))
                    for j in 0..<u { row[2 * u + j] += row[u + j] * rec[2 * u + j] }
                    activation.apply(to: UnsafeMutableBufferPointer(start: row + 2 * u, count: u))
                    for j in 0..<u { h[j] = row[j] * h0[j] + (1 - row[j]) * row[2 * u + j] }
                }
            case .gruResetBefore:
                let resetState = scratch!
                product(rows, 2 * u, previous, r, 0, z, zStride, accumulate: true, blas: blas)
                for b in 0..<rows {
                    let row = z + b * zStride
                    let h0 = previous + b * u
                    let rh = resetState + b * u
                    guard isActive(b) else {
                        rh.update(repeating: 0, count: u)
                        continue
                    }
                    recurrentActivation.apply(to: UnsafeMutableBufferPointer(start: row, count: 2 * u))
                    for j in 0..<u { rh[j] = row[u + j] * h0[j] }
                }
                packedCandidate.withUnsafeBufferPointer {
                    product(
                        rows, u, resetState, $0.baseAddress!, 2 * u, z + 2 * u, zStride, accumulate: true, blas: blas)
                }
                for b in 0..<rows {
                    let h = next + b * u
                    let h0 = previous + b * u
                    guard isActive(b) else {
                        h.update(from: h0, count: u)
                        continue
                    }
                    let row = z + b * zStride
                    activation.apply(to: UnsafeMutableBufferPointer(start: row + 2 * u, count: u))
                    for j in 0..<u { h[j] = row[j] * h0[j] + (1 - row[j]) * row[2 * u + j] }
                }
            }
        }
    }

    /// LSTM's gates for one row (ConvLSTM's for one position): `row` holds the pre-activations i, f, g, o
    /// (`units` each; overwritten), `c` is updated in place and `h` receives `o * activation(c)`.
    @inline(__always)
    static func lstmGates(
        _ row: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>,
        units u: Int, activation: Activation, recurrentActivation: Activation
    ) {
        if case .tanh = activation, case .sigmoid = recurrentActivation {
            return rnnkit_lstm_row(row, c, h, u)
        }
        recurrentActivation.apply(to: UnsafeMutableBufferPointer(start: row, count: 2 * u))
        activation.apply(to: UnsafeMutableBufferPointer(start: row + 2 * u, count: u))
        recurrentActivation.apply(to: UnsafeMutableBufferPointer(start: row + 3 * u, count: u))
        for j in 0..<u { c[j] = row[u + j] * c[j] + row[j] * row[2 * u + j] }
        h.update(from: c, count: u)
        activation.apply(to: UnsafeMutableBufferPointer(start: h, count: u))
        for j in 0..<u { h[j] *= row[3 * u + j] }
    }

    /// `c[m, n] (+)= a[m, units] · recurrent_kernel[:, column..<column + n]`: `a` contiguous, `c` rows
    /// `ldc` apart; through the packed copy `packed` of those columns, or SGEMM on the kernel itself.
    @inline(__always)
    private func product(
        _ m: Int, _ n: Int, _ a: UnsafePointer<Float>, _ packed: UnsafePointer<Float>, _ column: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, accumulate: Bool, blas: Bool
    ) {
        guard blas else { return rnnkit_gemm_packed(m, n, units, a, units, packed, c, ldc, accumulate ? 1 : 0) }
        recurrentKernel.withUnsafeBufferPointer {
            Self.gemm(m, n, units, a, units, $0.baseAddress! + column, width, c, ldc, beta: accumulate ? 1 : 0)
        }
    }

    /// `c[m, n] = a[m, k] · b[k, n] + beta * c`, row-major with leading dimensions.
    @inline(__always)
    static func gemm(
        _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, beta: Float
    ) {
        guard m > 0, n > 0 else { return }
        if m == 1, k > 0 {
            // One row (batch 1, streaming): a matrix-vector product, which skips SGEMM's packing of b.
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, b, Int32(ldb), a, 1, beta, c, 1)
            return
        }
        guard k > 0 else {
            if beta == 0 {
                for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }
            }
            return
        }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }
}
