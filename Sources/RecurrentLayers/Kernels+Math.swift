import CKernels
import Foundation

/// Fast elementwise activations for the recurrent step: one switch per run of values, not per element.
/// Sigmoid and tanh run in CKernels's vectorised C (relative error <= 4e-7, see ckernels.h); glibc's
/// scalar expf costs ~2 ns an element, its tanhf ~11 ns.
extension Activation {
    /// Applies the activation to a contiguous run of values in place (not softmax).
    func apply(to values: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .linear:
            return
        case .sigmoid:
            if let base = values.baseAddress { rnnkit_sigmoid(base, values.count) }
        case .tanh:
            if let base = values.baseAddress { rnnkit_tanh(base, values.count) }
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
