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
        case .relu:
            for i in values.indices { values[i] = max(values[i], 0) }
        default:
            if let (kind, parameter) = vectorKind, let base = values.baseAddress {
                rnnkit_activation(kind, parameter, base, values.count)
                return
            }
            for i in values.indices { values[i] = scalar(values[i]) }
        }
    }

    /// The CKernels constant and parameter for the activations it vectorises besides sigmoid and tanh.
    private var vectorKind: (Int32, Float)? {
        switch self {
        case .hardSigmoid: (Int32(RNNKIT_HARD_SIGMOID), 0)
        case .hardSigmoidKeras2: (Int32(RNNKIT_HARD_SIGMOID_KERAS2), 0)
        case .hardSwish: (Int32(RNNKIT_HARD_SWISH), 0)
        case .elu(let alpha): (Int32(RNNKIT_ELU), alpha)
        case .selu: (Int32(RNNKIT_SELU), 0)
        case .celu(let alpha): (Int32(RNNKIT_CELU), alpha)
        case .softplus: (Int32(RNNKIT_SOFTPLUS), 0)
        case .logSigmoid: (Int32(RNNKIT_LOG_SIGMOID), 0)
        case .swish: (Int32(RNNKIT_SWISH), 0)
        case .exponential: (Int32(RNNKIT_EXPONENTIAL), 0)
        case .mish: (Int32(RNNKIT_MISH), 0)
        case .gelu(approximate: true): (Int32(RNNKIT_GELU_TANH), 0)
        default: nil
        }
    }
}
