import Foundation

/// A Keras activation function, by its Keras name.
///
/// `hardSigmoid` is Keras 3's `relu6(x + 3) / 6`; `hardSigmoidKeras2` is Keras 1/2's
/// `clip(0.2 x + 0.5, 0, 1)` (KERAS.md B.1): a file's Keras version picks one.
public enum Activation: Sendable, Equatable, Hashable {
    /// `x` (Keras's `linear`, also what `None` means).
    case linear
    /// `tanh(x)`.
    case tanh
    /// `1 / (1 + e^-x)`.
    case sigmoid
    /// Keras 3's `hard_sigmoid`: `relu6(x + 3) / 6`.
    case hardSigmoid
    /// Keras 1/2's `hard_sigmoid`: `clip(0.2 x + 0.5, 0, 1)`.
    case hardSigmoidKeras2
    /// `max(x, 0)`.
    case relu
    /// `min(max(x, 0), 6)`.
    case relu6
    /// `x` for `x >= 0`, `negativeSlope * x` below (Keras's `leaky_relu`).
    case leakyRelu(negativeSlope: Float)
    /// `x` for `x > 0`, `alpha * (e^x - 1)` below.
    case elu(alpha: Float)
    /// `scale * elu(x, alpha)` with Keras's fixed `alpha` and `scale`.
    case selu
    /// `max(x, 0) + min(0, alpha * (e^(x / alpha) - 1))`.
    case celu(alpha: Float)
    /// `log(1 + e^x)`.
    case softplus
    /// `x / (1 + |x|)`.
    case softsign
    /// `x * sigmoid(x)` (Keras's `swish`, also `silu`).
    case swish
    /// `x * relu6(x + 3) / 6`.
    case hardSwish
    /// `x * Φ(x)`, or its tanh approximation when `approximate` is true.
    case gelu(approximate: Bool)
    /// `e^x`.
    case exponential
    /// `x * tanh(softplus(x))`.
    case mish
    /// `log(sigmoid(x))`.
    case logSigmoid
    /// `clip(x, -1, 1)`.
    case hardTanh
    /// `x - tanh(x)`.
    case tanhShrink
    /// `x - threshold` above `threshold`, `x + threshold` below `-threshold`, 0 between.
    case softShrink(threshold: Float)
    /// `x` where `|x| > threshold`, 0 elsewhere.
    case hardShrink(threshold: Float)
    /// `(x + sqrt(x² + b)) / 2`.
    case squareplus(b: Float)
    /// 0 for `x <= -1`, `x` for `x >= 1`, `(x + 1)² / 4` between.
    case sparsePlus
    /// Softmax over the last axis.
    case softmax
    /// Log-softmax over the last axis.
    case logSoftmax

    /// The activation Keras names `name` (`"tanh"`, `"hard_sigmoid"`, `"silu"`, ...), with Keras 3's
    /// defaults for parameters; `nil` or `"linear"` is linear. `keras2` picks Keras 1/2's
    /// hard_sigmoid. The name `"leaky_relu"` has slope 0.2 in every generation that knows it (tf.keras
    /// resolves it to `tf.nn.leaky_relu`; 0.3 is only the LeakyReLU layer's default).
    public init(kerasName name: String?, keras2: Bool = false) throws {
        switch name ?? "linear" {
        case "linear", "None": self = .linear
        case "tanh": self = .tanh
        case "sigmoid": self = .sigmoid
        case "hard_sigmoid": self = keras2 ? .hardSigmoidKeras2 : .hardSigmoid
        case "relu": self = .relu
        case "relu6": self = .relu6
        case "leaky_relu": self = .leakyRelu(negativeSlope: 0.2)
        case "elu": self = .elu(alpha: 1)
        case "selu": self = .selu
        case "celu": self = .celu(alpha: 1)
        case "softplus": self = .softplus
        case "softsign": self = .softsign
        case "swish", "silu": self = .swish
        case "hard_swish", "hard_silu": self = .hardSwish
        case "gelu": self = .gelu(approximate: false)
        case "exponential": self = .exponential
        case "mish": self = .mish
        case "log_sigmoid": self = .logSigmoid
        case "hard_tanh": self = .hardTanh
        case "tanh_shrink": self = .tanhShrink
        case "soft_shrink": self = .softShrink(threshold: 0.5)
        case "hard_shrink": self = .hardShrink(threshold: 0.5)
        case "squareplus": self = .squareplus(b: 4)
        case "sparse_plus": self = .sparsePlus
        case "softmax": self = .softmax
        case "log_softmax": self = .logSoftmax
        default:
            throw RecurrentError(.invalidArgument, "unknown activation '\(name ?? "")'")
        }
    }

    /// The Keras 3 name of this activation.
    public var kerasName: String {
        switch self {
        case .linear: "linear"
        case .tanh: "tanh"
        case .sigmoid: "sigmoid"
        case .hardSigmoid, .hardSigmoidKeras2: "hard_sigmoid"
        case .relu: "relu"
        case .relu6: "relu6"
        case .leakyRelu: "leaky_relu"
        case .elu: "elu"
        case .selu: "selu"
        case .celu: "celu"
        case .softplus: "softplus"
        case .softsign: "softsign"
        case .swish: "silu"
        case .hardSwish: "hard_silu"
        case .gelu: "gelu"
        case .exponential: "exponential"
        case .mish: "mish"
        case .logSigmoid: "log_sigmoid"
        case .hardTanh: "hard_tanh"
        case .tanhShrink: "tanh_shrink"
        case .softShrink: "soft_shrink"
        case .hardShrink: "hard_shrink"
        case .squareplus: "squareplus"
        case .sparsePlus: "sparse_plus"
        case .softmax: "softmax"
        case .logSoftmax: "log_softmax"
        }
    }

    /// Applies the activation in place; `rowWidth` is the last dimension (softmax normalises per row).
    public func apply(_ values: inout [Float], rowWidth: Int) {
        switch self {
        case .linear: return
        case .softmax, .logSoftmax:
            Kernels.softmaxRows(&values, width: rowWidth, log: self == .logSoftmax)
        default:
            values.withUnsafeMutableBufferPointer { apply(to: $0) }
        }
    }

    /// Applies the activation to a tensor (softmax over its last axis).
    public func callAsFunction(_ tensor: Tensor) -> Tensor {
        var result = tensor
        apply(&result.scalars, rowWidth: tensor.shape.last ?? 1)
        return result
    }

    /// The element-wise function (not defined for softmax and log-softmax).
    @inline(__always)
    func scalar(_ x: Float) -> Float {
        switch self {
        case .linear, .softmax, .logSoftmax: return x
        case .tanh: return Foundation.tanh(x)
        case .sigmoid: return 1 / (1 + exp(-x))
        case .hardSigmoid: return min(max(x + 3, 0), 6) / 6
        case .hardSigmoidKeras2: return min(max(0.2 * x + 0.5, 0), 1)
        case .relu: return max(x, 0)
        case .relu6: return min(max(x, 0), 6)
        case .leakyRelu(let slope): return x >= 0 ? x : slope * x
        case .elu(let alpha): return x > 0 ? x : alpha * (exp(x) - 1)
        case .selu:
            let alpha: Float = 1.673_263_2
            let scale: Float = 1.050_701
            return x > 0 ? scale * x : scale * alpha * (exp(x) - 1)
        case .celu(let alpha): return max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))
        case .softplus: return Self.softplus(x)
        case .softsign: return x / (1 + abs(x))
        case .swish: return x / (1 + exp(-x))
        case .hardSwish: return x * (min(max(x + 3, 0), 6) / 6)
        case .gelu(let approximate):
            if approximate {
                let inner = Float(0.797_884_56) * (x + 0.044_715 * x * x * x)
                return 0.5 * x * (1 + Foundation.tanh(inner))
            }
            return 0.5 * x * (1 + erf(x / Float(2).squareRoot()))
        case .exponential: return exp(x)
        case .mish: return x * Foundation.tanh(Self.softplus(x))
        case .logSigmoid: return -Self.softplus(-x)
        case .hardTanh: return min(max(x, -1), 1)
        case .tanhShrink: return x - Foundation.tanh(x)
        case .softShrink(let t): return x > t ? x - t : (x < -t ? x + t : 0)
        case .hardShrink(let t): return abs(x) > t ? x : 0
        case .squareplus(let b): return (x + (x * x + b).squareRoot()) / 2
        case .sparsePlus: return x <= -1 ? 0 : (x >= 1 ? x : (x + 1) * (x + 1) / 4)
        }
    }

    /// `log(1 + exp(x))` without overflow, as `logaddexp(x, 0)`.
    @inline(__always)
    static func softplus(_ x: Float) -> Float {
        max(x, 0) + log1p(exp(-abs(x)))
    }
}
