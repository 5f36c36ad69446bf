import Foundation
import RecurrentLayers
import Testing

/// The vectorised activations (CKernels) against double precision on a dense grid: the error bound
/// ckernels.h states.
@Suite("Vectorised activations")
struct VectorMathTests {
    /// The worst relative error (to `scale(x, truth)`, by default |truth|) where the result is a normal
    /// float, and the worst absolute error where it is not, on a grid of 1.6M points over [-100, 100] plus
    /// tiny and denormal inputs (both signs). A result past the largest float must be +inf; NaN counts as an
    /// infinite error.
    static func worstError(
        _ activation: Activation, level: Int, scale: (Double, Double) -> Double = { abs($1) },
        exact: (Double) -> Double
    ) -> (relative: Double, absolute: Double) {
        let values = grid
        var results = values
        #expect(activation.apply(&results, simdLevel: level), "\(activation) is not vectorised")
        var (relative, absolute) = (0.0, 0.0)
        for (x, y) in zip(values, results) where x.isFinite {
            let truth = exact(Double(x))
            if abs(truth) > Double(Float.greatestFiniteMagnitude) {
                if y != Float(truth) { relative = .infinity }
                continue
            }
            let error = y.isNaN ? .infinity : abs(Double(y) - truth)
            if abs(truth) >= Double(Float.leastNormalMagnitude) {
                relative = max(relative, error / scale(Double(x), truth))
            } else {
                absolute = max(absolute, error)
            }
        }
        return (relative, absolute)
    }

    /// 1.6M points over [-100, 100] plus tiny and denormal inputs (both signs).
    static let grid: [Float] = {
        let tiny = (0..<4096).map { Float(bitPattern: UInt32($0) * 251_001) }
        return stride(from: -100.0, through: 100.0, by: 1.0 / 4096).map { Float($0) } + tiny + tiny.map { -$0 }
    }()

    /// Every instruction-set level CKernels has on this processor (baseline, AVX2, AVX-512): the bounds hold at
    /// each, not only at the one this machine picks.
    static let levels = Array(0...Activation.simdLevel)

    static func softplus(_ x: Double) -> Double { max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }

    /// The other vectorised activations, each against its definition in double precision. Two formulas
    /// cancel in float32 (in Keras too): gelu's `1 + tanh` below x = -3 and Keras 2's `0.2 x + 0.5` near
    /// -2.5; their error is taken relative to the larger of the result and the term that cancels.
    static let others: [(Activation, @Sendable (Double) -> Double, (@Sendable (Double, Double) -> Double)?)] = [
        (.hardSigmoid, { min(max($0 / 6 + 0.5, 0), 1) }, nil),
        (.hardSigmoidKeras2, { min(max(Double(Float(0.2)) * $0 + 0.5, 0), 1) }, { max(abs($1), 0.2 * abs($0)) }),
        (.hardSwish, { $0 * min(max($0 / 6 + 0.5, 0), 1) }, nil),
        (.elu(alpha: 1), { $0 > 0 ? $0 : Foundation.expm1($0) }, nil),
        (.elu(alpha: 0.5), { $0 > 0 ? $0 : 0.5 * Foundation.expm1($0) }, nil),
        (.selu, { Double(Float(1.050_701)) * ($0 > 0 ? $0 : Double(Float(1.673_263_2)) * Foundation.expm1($0)) }, nil),
        (.celu(alpha: 1), { max($0, 0) + min(0, Foundation.expm1($0)) }, nil),
        (.celu(alpha: 2), { max($0, 0) + min(0, 2 * Foundation.expm1($0 / 2)) }, nil),
        (.softplus, { softplus($0) }, nil),
        (.logSigmoid, { -softplus(-$0) }, nil),
        (.swish, { $0 / (1 + Foundation.exp(-$0)) }, nil),
        (.exponential, { Foundation.exp($0) }, nil),
        (.mish, { $0 * Foundation.tanh(softplus($0)) }, nil),
        (
            .gelu(approximate: true),
            { 0.5 * $0 * (1 + Foundation.tanh(Double(Float(0.797_884_56)) * ($0 + 0.044_715 * $0 * $0 * $0))) },
            { max(abs($1), 0.5 * abs($0)) }
        ),
    ]

    @Test(
        "the other vectorised activations: the same bounds as sigmoid and tanh, at every SIMD level",
        arguments: others.indices, levels)
    func otherErrorBounds(_ index: Int, _ level: Int) {
        let (activation, exact, scale) = Self.others[index]
        let error = Self.worstError(activation, level: level, scale: scale ?? { abs($1) }, exact: exact)
        #expect(error.relative <= 4e-7, "\(activation) at level \(level): relative \(error.relative)")
        #expect(error.absolute <= 1.2e-38, "\(activation) at level \(level): absolute \(error.absolute)")
        var special: [Float] = [.nan]
        activation.apply(&special, rowWidth: 1)
        #expect(special[0].isNaN, "\(activation) of NaN")
    }

    @Test(
        "sigmoid and tanh: relative error <= 4e-7 over normal results, absolute <= 1.2e-38 below them, at every SIMD level",
        arguments: levels)
    func errorBound(_ level: Int) {
        let sigmoid = Self.worstError(.sigmoid, level: level) { 1 / (1 + Foundation.exp(-$0)) }
        let tanh = Self.worstError(.tanh, level: level) { Foundation.tanh($0) }
        #expect(sigmoid.relative <= 4e-7, "sigmoid relative \(sigmoid.relative)")
        #expect(sigmoid.absolute <= 1.2e-38, "sigmoid absolute \(sigmoid.absolute)")
        #expect(tanh.relative <= 4e-7, "tanh relative \(tanh.relative)")
        #expect(tanh.absolute <= 1.2e-38, "tanh absolute \(tanh.absolute)")
    }

    @Test("NaN stays NaN; infinities give the limits")
    func specialValues() {
        var values: [Float] = [.nan, .infinity, -.infinity, 0, -0.0]
        Activation.sigmoid.apply(&values, rowWidth: values.count)
        #expect(values[0].isNaN)
        #expect(values[1] == 1 && values[2] <= 1.2e-38 && values[3] == 0.5 && values[4] == 0.5)
        values = [.nan, .infinity, -.infinity, 0, -0.0]
        Activation.tanh.apply(&values, rowWidth: values.count)
        #expect(values[0].isNaN)
        #expect(values[1] == 1 && values[2] == -1 && values[3] == 0 && values[4] == 0)
        #expect(values[4].sign == .minus)
    }

    @Test("AVX2 and AVX-512 give the same bits: every vectorised function and the LSTM row")
    func levelsAgree() {
        guard Activation.simdLevel >= 2 else { return }  // one level above the baseline here: nothing to compare
        // Random bit patterns (every exponent, NaNs and infinities included) after the grid.
        var generator = SeededGenerator(seed: 1208)
        let inputs =
            Self.grid
            + (0..<200_000).map { _ in Float(bitPattern: UInt32.random(in: .min ... .max, using: &generator)) }
        // The number of elements whose bits differ (an array comparison's failure message would diff them all).
        func differing(_ a: [Float], _ b: [Float]) -> Int { zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count }
        for activation in [Activation.sigmoid, .tanh] + Self.others.map(\.0) {
            var (avx2, avx512) = (inputs, inputs)
            _ = activation.apply(&avx2, simdLevel: 1)
            _ = activation.apply(&avx512, simdLevel: 2)
            #expect(differing(avx2, avx512) == 0, "\(activation)")
        }
        var (avx2, avx512) = (inputs, inputs)
        Activation.vectorExp(&avx2, simdLevel: 1)
        Activation.vectorExp(&avx512, simdLevel: 2)
        #expect(differing(avx2, avx512) == 0, "exp")
        // LSTM rows of 37 units (vector bodies and tails) from the grid's middle (-2.3 to 5), where the gates
        // do not saturate.
        let units = 37
        for row in 0..<200 {
            let z = Array(Self.grid[(400_000 + row * 4 * units)..<(400_000 + (row + 1) * 4 * units)])
            let c = Array(Self.grid[(405_000 + row * units)..<(405_000 + (row + 1) * units)])
            var (z1, c1, z2, c2) = (z, c, z, c)
            let h1 = Activation.lstmRow(&z1, &c1, simdLevel: 1)
            let h2 = Activation.lstmRow(&z2, &c2, simdLevel: 2)
            #expect(differing(h1, h2) + differing(c1, c2) + differing(z1, z2) == 0, "LSTM row \(row)")
        }
    }
}
