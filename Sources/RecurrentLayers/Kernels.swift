import Foundation

#if canImport(Accelerate)
    import Accelerate
#else
    import CBLAS
#endif

/// The arithmetic of the layer module, in one place: matrix products, bias, gate arithmetic and row
/// operations. Performance work happens here without touching layer semantics.
enum Kernels {
    /// `c[m, n] += a[m, k] * b[k, n]`, row-major (`cblas_sgemm`).
    static func multiplyAdd(
        _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, into c: UnsafeMutableBufferPointer<Float>,
        m: Int, k: Int, n: Int
    ) {
        guard m > 0, k > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a.baseAddress, Int32(k),
            b.baseAddress, Int32(n), 1, c.baseAddress, Int32(n))
    }

    /// `c[m, cOffset + j] += a[m, k] · b[k, bOffset + j]` for `j < n`, where `b` rows are `ldb` wide and `c`
    /// rows `ldc` wide: a product with a block of columns of `b` (a gate's part of a recurrent kernel).
    static func multiplyAdd(
        _ a: [Float], _ b: [Float], into c: inout [Float], m: Int, k: Int, n: Int,
        ldb: Int, bOffset: Int, ldc: Int, cOffset: Int
    ) {
        guard m > 0, k > 0, n > 0 else { return }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a.baseAddress,
                        Int32(k),
                        b.baseAddress! + bOffset, Int32(ldb), 1, c.baseAddress! + cOffset, Int32(ldc))
                }
            }
        }
    }

    /// Rows of a large product computed at a time on `Parallelism`'s threads (a fixed size, so the
    /// numbers do not depend on the thread count).
    static let productBlockRows = 256

    /// `x[m, k] · w[k, n] (+ bias[n])`: a new `[m, n]` array. A product of 65,536 multiply-adds or more runs in blocks of rows on
    /// `Parallelism`'s threads with single-threaded BLAS: OpenBLAS's own threads, once used, spin for a
    /// while after each product and would take a core from the layers that follow.
    static func matmul(_ x: [Float], _ w: [Float], m: Int, k: Int, n: Int, bias: [Float]? = nil) -> [Float] {
        let blocks = (m + productBlockRows - 1) / productBlockRows
        // Each block starts its rows with the bias (or zeros), so the array starts uninitialised.
        return [Float](unsafeUninitializedCapacity: m * n) { result, initialized in
            initialized = m * n
            nonisolated(unsafe) let result = result
            x.withUnsafeBufferPointer { x in
                nonisolated(unsafe) let x = x
                w.withUnsafeBufferPointer { w in
                    nonisolated(unsafe) let w = w
                    let block: @Sendable (Int) -> Void = { index in
                        let first = index * productBlockRows
                        let rows = min(productBlockRows, m - first)
                        let into = UnsafeMutableBufferPointer(start: result.baseAddress! + first * n, count: rows * n)
                        startRows(into, rows: rows, width: n, bias: bias)
                        multiplyAdd(
                            UnsafeBufferPointer(start: x.baseAddress! + first * k, count: rows * k), w, into: into,
                            m: rows, k: k, n: n)
                    }
                    // Products OpenBLAS would thread go through Parallelism; small ones run block by block here.
                    if m * k * n >= 65_536 {
                        Parallelism.forEachGroup(blocks, block)
                    } else {
                        for index in 0..<blocks { block(index) }
                    }
                }
            }
        }
    }

    /// Starts `rows` rows of `width` values with `bias` (or zeros), ahead of a product added into them.
    static func startRows(_ into: UnsafeMutableBufferPointer<Float>, rows: Int, width: Int, bias: [Float]?) {
        guard let bias else {
            into.initialize(repeating: 0)
            return
        }
        bias.withUnsafeBufferPointer { bias in
            for r in 0..<rows { copy(bias.baseAddress!, into.baseAddress! + r * width, count: width) }
        }
    }

    /// Copies `count` values eight at a time, inline (the bias into an output row): for a row of a few dozen
    /// values a call to memmove costs more than the copy.
    @inline(__always)
    static func copy(_ from: UnsafePointer<Float>, _ to: UnsafeMutablePointer<Float>, count: Int) {
        var c = 0
        let (source, target) = (UnsafeRawPointer(from), UnsafeMutableRawPointer(to))
        while c + 8 <= count {
            let offset = c * MemoryLayout<Float>.stride
            target.storeBytes(
                of: source.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self), toByteOffset: offset,
                as: SIMD8<Float>.self)
            c += 8
        }
        while c < count {
            to[c] = from[c]
            c += 1
        }
    }

    /// Softmax (or log-softmax) of each `width`-wide row, in place, stabilised by the row maximum.
    static func softmaxRows(_ values: inout [Float], width: Int, log: Bool) {
        guard width > 0 else { return }
        for start in stride(from: 0, to: values.count, by: width) {
            let row = start..<(start + width)
            let top = values[row].max() ?? 0
            var sum: Float = 0
            for i in row { sum += Foundation.exp(values[i] - top) }
            for i in row {
                values[i] = log ? values[i] - top - Foundation.log(sum) : Foundation.exp(values[i] - top) / sum
            }
        }
    }

    /// Rows `t, T + t, 2T + t, ...` of a `[batch * T, width]` array: the timestep-`t` slice `[batch, width]`.
    static func timeSlice(_ values: [Float], batch: Int, timesteps: Int, width: Int, t: Int) -> [Float] {
        var slice = [Float](repeating: 0, count: batch * width)
        for b in 0..<batch {
            let from = (b * timesteps + t) * width
            slice.replaceSubrange((b * width)..<((b + 1) * width), with: values[from..<(from + width)])
        }
        return slice
    }
}
