/// One call's dropout masks for one cell (KERAS.md A.15): made once per sequence, used at every step.
/// Each mask holds 0 with probability `rate`, `1 / (1 - rate)` otherwise.
public struct DropoutMasks: Sendable, Equatable {
    /// `[batch, inputSize]` each: one shared by every gate, or one per gate (implementation 1).
    public var input: [Tensor]
    /// `[batch, units]` each: none, one, or one per gate.
    public var recurrent: [Tensor]

    /// Masks for one call: `input` multiplies the step input, `recurrent` the state, one tensor per gate each.
    public init(input: [Tensor], recurrent: [Tensor]) {
        self.input = input
        self.recurrent = recurrent
    }

    /// `count` masks of `shape` at `rate`, from `generator`.
    static func make(_ count: Int, shape: [Int], rate: Float, generator: inout SeededGenerator) -> [Tensor] {
        let keep = 1 / (1 - rate)
        return (0..<count).map { _ in
            Tensor(
                shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.uniform(0, 1) < rate ? 0 : keep })
        }
    }

    /// The generator for a cell's masks in a layer's `call`-th training call: reproducible from the
    /// seed, different from call to call (as Keras's seed generator advances).
    static func generator(seed: UInt64?, call: Int) -> SeededGenerator {
        var mixer = SeededGenerator(seed: (seed ?? 0) ^ (UInt64(call) &* 0x9E37_79B9_7F4A_7C15))
        return SeededGenerator(seed: mixer.next())
    }
}

extension CellWeights {
    /// `Σ_g (x ⊙ m_g) · W[:, g]` laid out `[batch, gates * units]`: each gate's block of the weights times
    /// the input under that gate's mask (one mask for all gates, or one per gate). No masks: `x · W`.
    static func maskedProduct(
        _ x: Tensor, masks: [Tensor], weights: Tensor, gates: Int, units: Int, onlyGates: Range<Int>? = nil
    ) -> [Float] {
        let (batch, width) = (x.shape[0], x.shape[1])
        let total = gates * units
        var result = [Float](repeating: 0, count: batch * total)
        for gate in onlyGates ?? 0..<gates {
            let input = masks.isEmpty ? x : x * masks[masks.count == 1 ? 0 : gate]
            Kernels.multiplyAdd(
                input.scalars, weights.scalars, into: &result, m: batch, k: width, n: units, ldb: total,
                bOffset: gate * units, ldc: total, cOffset: gate * units)
        }
        return result
    }
}
