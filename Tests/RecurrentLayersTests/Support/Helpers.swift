import RecurrentLayers
import TestSupport
import Testing

/// Keras's test inputs (KERAS.md E): `arange` reshaped, float32.
enum Inputs {
    static func arange(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map(Float.init))
    }

    /// `arange(72).reshape(3, 6, 4)`
    static let a = arange([3, 6, 4])
    /// `arange(24).reshape(2, 3, 4)`
    static let p = arange([2, 3, 4])
    /// `arange(24).reshape(2, 4, 3)`
    static let q = arange([2, 4, 3])
}

/// One scalar against another: `|a - b| <= atol + rtol * |b|`, false for NaN (whole arrays go through
/// TestSupport's `expectClose`).
func isClose(_ a: Float, _ b: Float, atol: Float = 1e-5, rtol: Float = 1e-5) -> Bool {
    abs(a - b) <= atol + rtol * abs(b)
}

/// Expects each sample (first dimension) to hold one value in all its elements: Keras's constant-weight
/// tests list one number per sample.
func expectRows(
    _ tensor: Tensor, _ perSample: [Float], atol: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation
) {
    let width = tensor.count / max(tensor.shape[0], 1)
    expectClose(
        tensor, perSample.flatMap { Array(repeating: $0, count: width) }, atol: atol, sourceLocation: sourceLocation)
}

/// Keras's test weights: kernel 0.01, recurrent 0.02, bias 0.03 (KERAS.md E).
enum Constant {
    static let kernel = Initializer.constant(0.01)
    static let recurrent = Initializer.constant(0.02)
    static let bias = Initializer.constant(0.03)

    static func simple(_ units: Int, inputSize: Int) throws -> SimpleRNNCell {
        try SimpleRNNCell(
            units: units, inputSize: inputSize, kernelInitializer: kernel, recurrentInitializer: recurrent,
            biasInitializer: bias)
    }

    static func lstm(_ units: Int, inputSize: Int, unitForgetBias: Bool = true, useBias: Bool = true) throws -> LSTMCell
    {
        try LSTMCell(
            units: units, inputSize: inputSize, useBias: useBias, unitForgetBias: unitForgetBias,
            kernelInitializer: kernel,
            recurrentInitializer: recurrent, biasInitializer: bias)
    }

    static func gru(_ units: Int, inputSize: Int, resetAfter: Bool = true, useBias: Bool = true) throws -> GRUCell {
        try GRUCell(
            units: units, inputSize: inputSize, useBias: useBias, resetAfter: resetAfter, kernelInitializer: kernel,
            recurrentInitializer: recurrent, biasInitializer: bias)
    }
}
