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
        _ activation: Activation, scale: (Double, Double) -> Double = { abs($1) }, exact: (Double) -> Double
    ) -> (relative: Double, absolute: Double) {
        var values = stride(from: -100.0, through: 100.0, by: 1.0 / 4096).map { Float($0) }
        let tiny = (0..<4096).map { Float(bitPattern: UInt32($0) * 251_001) }  // tiny and denormal inputs
        values += tiny + tiny.map { -$0 }
        var results = values
        activation.apply(&results, rowWidth: results.count)
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

    @Test("the other vectorised activations: the same bounds as sigmoid and tanh", arguments: others.indices)
    func otherErrorBounds(_ index: Int) {
        let (activation, exact, scale) = Self.others[index]
        let error = Self.worstError(activation, scale: scale ?? { abs($1) }, exact: exact)
        #expect(error.relative <= 4e-7, "\(activation) relative \(error.relative)")
        #expect(error.absolute <= 1.2e-38, "\(activation) absolute \(error.absolute)")
        var special: [Float] = [.nan]
        activation.apply(&special, rowWidth: 1)
        #expect(special[0].isNaN, "\(activation) of NaN")
    }

    @Test("sigmoid and tanh: relative error <= 4e-7 over normal results, absolute <= 1.2e-38 below them")
    func errorBound() {
        let sigmoid = Self.worstError(.sigmoid) { 1 / (1 + Foundation.exp(-$0)) }
        let tanh = Self.worstError(.tanh) { Foundation.tanh($0) }
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
}
