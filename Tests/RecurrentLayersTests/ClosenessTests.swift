import TestSupport
import Testing

/// TestSupport's closeness check, which every suite's numeric comparison goes through: NaN anywhere
/// fails (a `.max()` over differences skips NaN unless it comes first), as do differing counts.
@Suite("Closeness check")
struct ClosenessTests {
    @Test("NaN on either side fails, wherever it is")
    func nanFails() {
        for position in 0..<3 {
            var values: [Float] = [0.5, 0.5, 0.25]
            values[position] = .nan
            #expect(!Closeness(values, [0.5, 0.5, 0.25], atol: 1e-5, rtol: 1e-5).passes, "NaN at \(position)")
            #expect(!Closeness([0.5, 0.5, 0.25], values, atol: 1e-5, rtol: 1e-5).passes, "expected NaN at \(position)")
        }
        #expect(largestDifference([0.5, .nan], [0.5, 0.5]).isNaN)
    }

    @Test("the bound is atol + rtol * |expected|; the worst element is named; counts must agree")
    func bound() {
        #expect(Closeness([1.00001], [1], atol: 1e-5, rtol: 1e-5).passes)
        #expect(Closeness([100.001], [100], atol: 1e-5, rtol: 1e-5).passes)
        let far = Closeness([1, 2.1, 3.5], [1, 2, 3], atol: 1e-5, rtol: 1e-5)
        #expect(!far.passes && far.worstIndex == 2)
        #expect(far.description.contains("element 2: 3.5 against 3.0"))
        #expect(!Closeness([1, 2], [1, 2, 3], atol: 1, rtol: 0).passes)
        #expect(Closeness([Float.infinity], [Float.infinity], atol: 0, rtol: 0).passes == false)
    }
}
