import Foundation

/// A small deterministic random source (SplitMix64): the same seed gives the same weights and dropout
/// masks on every platform. Not Keras's generator: values are equal in distribution, not bit for bit.
/// Package access: the layers and KerasFormat's initializing factory use it; users seed layers by `seed`.
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose whole sequence follows from `seed`.
    package init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `[low, high)`.
    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * Float(next() >> 40) / Float(1 << 24)
    }

    /// Standard normal (Box-Muller).
    mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), .leastNonzeroMagnitude)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2))
    }

    /// Normal, redrawn until within two standard deviations (Keras's truncated normal).
    mutating func truncatedNormal() -> Float {
        while true {
            let value = normal()
            if abs(value) <= 2 { return value }
        }
    }
}
