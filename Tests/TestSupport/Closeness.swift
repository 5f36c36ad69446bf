import RecurrentLayers
import Testing

/// How far `ours` is from `expected`, element by element: an element passes when
/// `|ours - expected| <= atol + rtol * |expected|`, so a NaN on either side fails (every comparison with
/// NaN is false), and so does a difference in count. The one closeness check of every test suite.
public struct Closeness: CustomStringConvertible, Sendable {
    public let oursCount: Int
    public let expectedCount: Int
    /// The element that misses the bound by the most (the first NaN, if any), or nil when all pass.
    public let worstIndex: Int?
    public let worstOurs: Float
    public let worstExpected: Float
    public let atol: Float
    public let rtol: Float

    public var passes: Bool { oursCount == expectedCount && worstIndex == nil }

    public init<A: Collection<Float>, B: Collection<Float>>(_ ours: A, _ expected: B, atol: Float, rtol: Float) {
        (oursCount, expectedCount, self.atol, self.rtol) = (ours.count, expected.count, atol, rtol)
        var worst: (index: Int, excess: Float, ours: Float, expected: Float)?
        for (index, (a, b)) in zip(ours, expected).enumerated() {
            let bound = atol + rtol * abs(b)
            let error = abs(a - b)
            guard !(error <= bound) else { continue }
            let excess = error.isNaN ? Float.infinity : error - bound
            if worst.map({ excess > $0.excess }) ?? true { worst = (index, excess, a, b) }
        }
        worstIndex = worst?.index
        worstOurs = worst?.ours ?? 0
        worstExpected = worst?.expected ?? 0
    }

    public var description: String {
        if oursCount != expectedCount { return "\(oursCount) values against \(expectedCount) expected" }
        guard let worstIndex else { return "within \(atol) + \(rtol) * |expected|" }
        return
            "element \(worstIndex): \(worstOurs) against \(worstExpected) (difference \(abs(worstOurs - worstExpected)), bound \(atol) + \(rtol) * |expected|)"
    }
}

/// Expects `ours` within `atol + rtol * |expected|` of `expected`, element by element (NaN fails).
public func expectClose(
    _ ours: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 1e-5, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let closeness = Closeness(ours, expected, atol: atol, rtol: rtol)
    #expect(closeness.passes, "\(label.isEmpty ? "" : label + ": ")\(closeness)", sourceLocation: sourceLocation)
}

/// Expects `ours` to have `expected`'s shape and values (within tolerance; NaN fails).
public func expectClose(
    _ ours: Tensor, _ expected: Tensor, atol: Float = 1e-5, rtol: Float = 1e-5, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        ours.shape == expected.shape,
        "\(label.isEmpty ? "" : label + ": ")shape \(ours.shape) against \(expected.shape)",
        sourceLocation: sourceLocation)
    expectClose(ours.scalars, expected.scalars, atol: atol, rtol: rtol, label, sourceLocation: sourceLocation)
}

/// Expects `ours` to hold `expected`'s values (within tolerance; NaN fails).
public func expectClose(
    _ ours: Tensor, _ expected: [Float], atol: Float = 1e-5, rtol: Float = 1e-5, _ label: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose(ours.scalars, expected, atol: atol, rtol: rtol, label, sourceLocation: sourceLocation)
}

/// The largest `|ours - expected|`, NaN when either side has a NaN or the counts differ: for checks that
/// a difference is there (a NaN is not a difference anyone wants).
public func largestDifference(_ ours: [Float], _ expected: [Float]) -> Float {
    guard ours.count == expected.count else { return .nan }
    var largest: Float = 0
    for (a, b) in zip(ours, expected) {
        let difference = abs(a - b)
        if difference.isNaN { return .nan }
        largest = max(largest, difference)
    }
    return largest
}

/// An array as the fixture scripts write it: `{"shape": [...], "values": [...]}` (float32 values).
public struct Array32: Decodable, Sendable {
    public var shape: [Int]
    public var values: [Float]
    public var tensor: Tensor { Tensor(shape: shape, scalars: values) }
}
