import CKernels
import Foundation
import Testing

/// `rnnkit_gemm_packed`, the recurrent product of the fused step: right against a double-precision
/// product, and each row the same bits whatever the number of rows (the tile split by row count must not
/// change a sum), which is what makes results independent of how a batch is grouped.
@Suite("Packed recurrent product")
struct PackedProductTests {
    /// Deterministic values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
    }

    static func product(m: Int, n: Int, k: Int, a: [Float], packed: [Float], c: [Float], accumulate: Bool) -> [Float] {
        var out = c
        a.withUnsafeBufferPointer { a in
            packed.withUnsafeBufferPointer { p in
                out.withUnsafeMutableBufferPointer { o in
                    rnnkit_gemm_packed(
                        m, n, k, a.baseAddress!, k, p.baseAddress!, o.baseAddress!, n, accumulate ? 1 : 0)
                }
            }
        }
        return out
    }

    @Test("every row count from 1 to 40: within float rounding of the exact product, rows independent of m")
    func rowCounts() {
        let (n, k) = (40, 37)  // n: two full panels of 16 and a part; k: not a multiple of anything
        let b = Self.values(k * n, seed: 2)
        var packed = [Float](repeating: 0, count: rnnkit_packed_count(k, n))
        b.withUnsafeBufferPointer { b in
            packed.withUnsafeMutableBufferPointer { rnnkit_pack(b.baseAddress!, n, k, n, $0.baseAddress!) }
        }
        for accumulate in [false, true] {
            for m in 1...40 {
                let a = Self.values(m * k, seed: UInt64(m))
                let c = Self.values(m * n, seed: UInt64(100 + m))
                let got = Self.product(m: m, n: n, k: k, a: a, packed: packed, c: c, accumulate: accumulate)
                var worst = 0.0
                for i in 0..<m {
                    let alone = Self.product(
                        m: 1, n: n, k: k, a: Array(a[(i * k)..<((i + 1) * k)]), packed: packed,
                        c: Array(c[(i * n)..<((i + 1) * n)]), accumulate: accumulate)
                    #expect(Array(got[(i * n)..<((i + 1) * n)]) == alone, "m \(m) row \(i) differs from the row alone")
                    for j in 0..<n {
                        var exact = accumulate ? Double(c[i * n + j]) : 0
                        for p in 0..<k { exact += Double(a[i * k + p]) * Double(b[p * n + j]) }
                        worst = max(worst, abs(Double(got[i * n + j]) - exact))
                        if got[i * n + j].isNaN { worst = .infinity }
                    }
                }
                #expect(worst <= 1e-5, "m \(m) accumulate \(accumulate): worst absolute error \(worst)")
            }
        }
    }
}
