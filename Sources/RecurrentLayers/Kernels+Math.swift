import Foundation

/// Fast elementwise activations for the recurrent step: one switch per run of values, not per element.
/// (Measured on the CI machine: glibc's expf costs ~2 ns an element and vectorises in simple loops, its
/// tanhf ~11 ns; Swift's generic SIMD types were slower than both.)
extension Activation {
    /// Applies the activation to a contiguous run of values in place (not softmax).
    func apply(to values: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .linear:
            return
        case .sigmoid:
            for i in values.indices { values[i] = 1 / (1 + Foundation.exp(-values[i])) }
        case .tanh:
            // tanh x = 1 - 2 / (e^{2x} + 1): one expf; absolute error ~1e-7 near zero, exact limits.
            for i in values.indices { values[i] = 1 - 2 / (Foundation.exp(2 * values[i]) + 1) }
        case .hardSigmoid:
            for i in values.indices { values[i] = min(max(values[i] / 6 + 0.5, 0), 1) }
        case .hardSigmoidKeras2:
            for i in values.indices { values[i] = min(max(0.2 * values[i] + 0.5, 0), 1) }
        case .relu:
            for i in values.indices { values[i] = max(values[i], 0) }
        default:
            for i in values.indices { values[i] = scalar(values[i]) }
        }
    }
}
