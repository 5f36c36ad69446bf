import Foundation

/// The weights every built-in cell has, in Keras's order: `kernel [features, gates * units]`,
/// `recurrent_kernel [units, gates * units]` and, with a bias, `bias` (shape per cell).
struct CellWeights: Sendable {
    var kernel: Tensor
    var recurrentKernel: Tensor {
        didSet { packed = PackedKernel() }
    }
    /// The recurrent kernel packed for the fused step (made on first use; shared by copies of these
    /// weights until one of them changes its recurrent kernel).
    private(set) var packed = PackedKernel()
    var bias: Tensor?
    let units: Int
    /// The input width the kernel is for (stored: a placeholder kernel holds no values yet).
    private(set) var inputSize: Int
    /// Gate blocks: 1 for SimpleRNN, 3 for GRU, 4 for LSTM.
    let gates: Int
    /// The bias shape, or nil without a bias.
    let biasShape: [Int]?
    /// The initializers the weights were made with (`.placeholder` for a layer built from a file).
    var initializers: CellInitializers

    /// Fresh weights from initializers; `makeBias` fills the bias (LSTM's unit_forget_bias is special).
    init(
        units: Int, gates: Int, inputSize: Int, biasShape: [Int]?, kernelInitializer: Initializer,
        recurrentInitializer: Initializer, biasInitializer: Initializer, seed: UInt64?,
        makeBias: (inout SeededGenerator) throws -> Tensor
    ) throws {
        var generator = SeededGenerator(seed: seed ?? 0)
        self.units = units
        self.inputSize = inputSize
        self.gates = gates
        self.biasShape = biasShape
        initializers = CellInitializers(
            kernel: kernelInitializer, recurrent: recurrentInitializer, bias: biasInitializer)
        kernel = try kernelInitializer.make([inputSize, gates * units], generator: &generator)
        recurrentKernel = try recurrentInitializer.make([units, gates * units], generator: &generator)
        bias = biasShape == nil ? nil : try makeBias(&generator)
    }

    /// Refuses sizes whose weights could not exist (`units` near `Int.max`, or beyond
    /// `Initializer.elementLimit` values in one kernel) before any product of them is formed.
    /// - Throws: `RecurrentError.invalidArgument` naming the cell.
    static func checkSizes(units: Int, gates: Int, inputSize: Int, cell: String) throws {
        let width = units.multipliedReportingOverflow(by: gates)
        let widest = max(units, inputSize)
        let kernel = widest.multipliedReportingOverflow(by: width.partialValue)
        guard units >= 0, inputSize >= 0, !width.overflow, !kernel.overflow,
            kernel.partialValue <= Initializer.elementLimit
        else {
            throw RecurrentError(
                .invalidArgument, layer: cell,
                "units \(units) with \(inputSize) input features make kernels too large to exist (over \(Initializer.elementLimit) values)"
            )
        }
    }

    func slots(inputSize: Int) -> [WeightSlot] {
        [
            WeightSlot(name: "kernel", shape: [inputSize, gates * units]),
            WeightSlot(name: "recurrent_kernel", shape: [units, gates * units]),
        ] + (biasShape.map { [WeightSlot(name: "bias", shape: $0)] } ?? [])
    }

    var all: [Tensor] { [kernel, recurrentKernel] + (bias.map { [$0] } ?? []) }

    /// Replaces the weights after checking them; the kernel may bring a new input size.
    mutating func set(_ weights: [Tensor], cell: String) throws {
        try WeightSlot.check(weights, against: slots(inputSize: weights.first?.shape.first ?? inputSize), layer: cell)
        kernel = weights[0]
        recurrentKernel = weights[1]
        bias = biasShape == nil ? nil : weights[2]
        inputSize = kernel.shape[0]
    }

    /// `inputs [n, features] · kernel + inputBias`: every timestep's input projection at once.
    func project(_ inputs: Tensor, inputBias: [Float]?, cell: String) throws -> Tensor {
        let (features, width) = (kernel.shape[0], kernel.shape[1])
        guard inputs.rank == 2, inputs.shape[1] == features else {
            throw RecurrentError(
                .shapeMismatch, layer: cell, "expected inputs with \(features) features, received shape \(inputs.shape)"
            )
        }
        let n = inputs.shape[0]
        return Tensor(
            shape: [n, width],
            scalars: Kernels.matmul(inputs.scalars, kernel.scalars, m: n, k: features, n: width, bias: inputBias))
    }
}

extension WeightSlot {
    /// Checks `weights` against `slots`, naming the slot and both shapes on a mismatch.
    static func check(_ weights: [Tensor], against slots: [WeightSlot], layer: String) throws {
        guard weights.count == slots.count else {
            throw RecurrentError(
                .countMismatch, layer: layer,
                "expected \(slots.count) weights (\(slots.map(\.name).joined(separator: ", "))), received \(weights.count)"
            )
        }
        for (slot, weight) in zip(slots, weights) where slot.shape != weight.shape {
            throw RecurrentError(
                .shapeMismatch, layer: layer, slot: slot.name,
                "slot '\(slot.name)' has shape \(weight.shape), the layer needs \(slot.shape)")
        }
    }
}

/// The initializers of a built-in cell's weights, kept so that its Keras config names them (Keras uses
/// them when it initializes the layer again, as training from scratch does).
public struct CellInitializers: Sendable, Equatable {
    /// The kernel's initializer (Keras's `kernel_initializer`).
    public var kernel: Initializer
    /// The recurrent kernel's initializer (Keras's `recurrent_initializer`).
    public var recurrent: Initializer
    /// The bias's initializer (Keras's `bias_initializer`).
    public var bias: Initializer

    /// The three initializers, as a Keras config names them.
    public init(kernel: Initializer, recurrent: Initializer, bias: Initializer) {
        self.kernel = kernel
        self.recurrent = recurrent
        self.bias = bias
    }
}

/// A recurrent kernel packed for `rnnkit_gemm_packed`, made once and reused by every call: packing is
/// about 30 µs for 128 units, a twentieth of a batch-1 LSTM pass over 100 steps.
final class PackedKernel: @unchecked Sendable {
    // @unchecked: `entry` is read and written under `lock` only.
    private let lock = NSLock()
    private var entry: (split: Bool, recurrent: [Float], candidate: [Float])?

    /// The packed columns for `split` (GRU with the reset before the product packs its candidate
    /// columns apart), made by `make` the first time.
    func columns(split: Bool, make: () -> (recurrent: [Float], candidate: [Float])) -> (
        recurrent: [Float], candidate: [Float]
    ) {
        lock.withLock {
            if let entry, entry.split == split { return (entry.recurrent, entry.candidate) }
            let made = make()
            entry = (split, made.recurrent, made.candidate)
            return made
        }
    }
}
