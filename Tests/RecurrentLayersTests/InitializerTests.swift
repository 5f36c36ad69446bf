import RecurrentLayers
import Testing

/// Initializers: Keras's formulas for limits and variances, orthogonality, determinism by seed.
@Suite("Initializers")
struct InitializerTests {
    static func make(_ initializer: Initializer, _ shape: [Int], seed: UInt64 = 1) throws -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return try initializer.make(shape, generator: &generator).scalars
    }

    static func variance(_ values: [Float]) -> Float {
        let mean = values.reduce(0, +) / Float(values.count)
        return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)
    }

    @Test("uniform initializers stay within Keras's limits and fill them")
    func uniformLimits() throws {
        let shape = [300, 200]
        let cases: [(Initializer, Float)] = [
            (.glorotUniform, (6.0 / 500).squareRoot()), (.heUniform, (6.0 / 300).squareRoot()),
            (.lecunUniform, (3.0 / 300).squareRoot()), (.randomUniform(), 0.05),
        ]
        for (initializer, limit) in cases {
            let values = try Self.make(initializer, shape)
            #expect(values.allSatisfy { abs($0) <= limit }, "\(initializer)")
            #expect(values.max()! > 0.95 * limit && values.min()! < -0.95 * limit, "\(initializer)")
            #expect(isClose(Self.variance(values), limit * limit / 3, atol: 0, rtol: 0.05), "\(initializer)")
        }
    }

    @Test("normal initializers have Keras's variance; truncated ones stay within two deviations")
    func normalVariances() throws {
        let shape = [400, 250]
        let cases: [(Initializer, Float, Float?)] = [
            (.glorotNormal, 2.0 / 650, (2.0 / 650).squareRoot() / 0.879_625_66 * 2),
            (.heNormal, 2.0 / 400, (2.0 / 400).squareRoot() / 0.879_625_66 * 2),
            (.lecunNormal, 1.0 / 400, (1.0 / 400).squareRoot() / 0.879_625_66 * 2),
            (.randomNormal(), 0.0025, nil),
            (.truncatedNormal(), 0.0025 * 0.774, 0.1),
        ]
        for (initializer, variance, bound) in cases {
            let values = try Self.make(initializer, shape)
            #expect(
                isClose(Self.variance(values), variance, atol: 0, rtol: 0.05),
                "\(initializer): \(Self.variance(values))")
            if let bound { #expect(values.allSatisfy { abs($0) <= bound * 1.0001 }, "\(initializer)") }
        }
    }

    @Test(
        "orthogonal matrices have orthonormal rows or columns, scaled by the gain",
        arguments: [[6, 6], [8, 3], [3, 8], [2, 3, 4]])
    func orthogonal(_ shape: [Int]) throws {
        let values = try Self.make(.orthogonal(gain: 2), shape)
        let cols = shape.last!
        let rows = values.count / cols
        let tall = rows >= cols
        let n = tall ? cols : rows
        for i in 0..<n {
            for j in 0..<n {
                var dot: Float = 0
                for r in 0..<(tall ? rows : cols) {
                    dot +=
                        tall ? values[r * cols + i] * values[r * cols + j] : values[i * cols + r] * values[j * cols + r]
                }
                #expect(isClose(dot, i == j ? 4 : 0, atol: 1e-4), "\(shape) [\(i), \(j)]")
            }
        }
    }

    @Test("constant, zeros, ones and identity, and the same seed giving the same weights")
    func deterministic() throws {
        #expect(try Self.make(.constant(0.5), [2, 2]) == [0.5, 0.5, 0.5, 0.5])
        #expect(try Self.make(.zeros, [3]) == [0, 0, 0] && Self.make(.ones, [2]) == [1, 1])
        #expect(try Self.make(.identity(gain: 3), [2, 3]) == [3, 0, 0, 0, 3, 0])
        #expect(throws: RecurrentError.self) { try Self.make(.identity(), [2, 2, 2]) }
        #expect(try Self.make(.glorotUniform, [5, 5], seed: 9) == Self.make(.glorotUniform, [5, 5], seed: 9))
        #expect(try Self.make(.glorotUniform, [5, 5], seed: 9) != Self.make(.glorotUniform, [5, 5], seed: 10))
        let lstm = try LSTMCell(units: 3, inputSize: 2, seed: 4)
        #expect(Array(lstm.bias!.scalars[3..<6]) == [1, 1, 1] && lstm.bias!.scalars[0] == 0)
    }
}
