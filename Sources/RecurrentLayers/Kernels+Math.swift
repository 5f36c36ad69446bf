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

    /// The instruction sets CKernels uses on this processor: 2 AVX-512, 1 AVX2 with FMA, 0 the baseline.
    package static var simdLevel: Int { Int(rnnkit_simd_level()) }

    /// For tests: the activation as CKernels computes it at SIMD `level` (at most `simdLevel`), in place;
    /// false (values untouched) for an activation CKernels does not compute.
    package func apply(_ values: inout [Float], simdLevel level: Int) -> Bool {
        let kind: (Int32, Float)? =
            switch self {
            case .sigmoid: (Int32(RNNKIT_SIGMOID_KIND), 0)
            case .tanh: (Int32(RNNKIT_TANH_KIND), 0)
            default: vectorKind
            }
        guard let (code, parameter) = kind else { return false }
        values.withUnsafeMutableBufferPointer {
            rnnkit_apply_at(Int32(level), code, parameter, $0.baseAddress, $0.count)
        }
        return true
    }

    /// For tests: `exp` as CKernels computes it at SIMD `level`, in place.
    package static func vectorExp(_ values: inout [Float], simdLevel level: Int) {
        values.withUnsafeMutableBufferPointer {
            rnnkit_apply_at(Int32(level), Int32(RNNKIT_EXP_KIND), 0, $0.baseAddress, $0.count)
        }
    }

    /// For tests: one LSTM row (`rnnkit_lstm_row`) at SIMD `level`: `z` (4 gate blocks) receives the gates, `c`
    /// the new cell state, and the new `h` is returned.
    package static func lstmRow(_ z: inout [Float], _ c: inout [Float], simdLevel level: Int) -> [Float] {
        precondition(z.count == 4 * c.count, "lstmRow: z holds 4 gate blocks of c.count units")
        var h = [Float](repeating: 0, count: c.count)
        z.withUnsafeMutableBufferPointer { z in
            c.withUnsafeMutableBufferPointer { c in
                h.withUnsafeMutableBufferPointer { h in
                    rnnkit_lstm_row_at(Int32(level), z.baseAddress, c.baseAddress, h.baseAddress, c.count)
                }
            }
        }
        return h
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
