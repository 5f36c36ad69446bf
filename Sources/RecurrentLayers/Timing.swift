import Foundation

/// Forward-pass timing: warm-up passes, then repeated passes, summarised.
public struct TimingResult: Sendable, Encodable {
    /// What was timed (the model or layer, in words).
    public var description: String
    /// The batch size of each pass.
    public var batch: Int
    /// The timesteps of each pass.
    public var timesteps: Int
    /// The number of timed passes.
    public var passes: Int
    /// Seconds per forward pass.
    public var median: Double
    /// The fastest pass, in seconds.
    public var minimum: Double
    /// The slowest pass, in seconds.
    public var maximum: Double
    /// Floating-point operations of one pass (multiply-adds counted as two).
    public var flops: Double
    /// Floating-point operations per second of the median pass, in billions.
    public var gigaflopsPerSecond: Double { median > 0 ? flops / median / 1e9 : 0 }

    enum CodingKeys: String, CodingKey {
        case description, batch, timesteps, passes, median, minimum, maximum, flops, gigaflopsPerSecond
    }

    /// The result as JSON, `gigaflopsPerSecond` included (`rnnkit bench --json`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(description, forKey: .description)
        try container.encode(batch, forKey: .batch)
        try container.encode(timesteps, forKey: .timesteps)
        try container.encode(passes, forKey: .passes)
        try container.encode(median, forKey: .median)
        try container.encode(minimum, forKey: .minimum)
        try container.encode(maximum, forKey: .maximum)
        try container.encode(flops, forKey: .flops)
        try container.encode(gigaflopsPerSecond, forKey: .gigaflopsPerSecond)
    }
}

/// Timing forward passes: warm-up passes, then timed ones, summarised; and one recurrent layer timed alone.
public enum Timing {
    /// Times `pass`: `warmup` untimed passes, then `passes` timed ones.
    public static func measure(warmup: Int, passes: Int, _ pass: () throws -> Void) rethrows -> [Double] {
        for _ in 0..<warmup { try pass() }
        return try (0..<passes).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            try pass()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
    }

    /// The median, minimum and maximum of `times` (seconds per pass) with what was timed and its size.
    public static func summary(_ times: [Double], description: String, batch: Int, timesteps: Int, flops: Double)
        -> TimingResult
    {
        let sorted = times.sorted()
        let median =
            sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return TimingResult(
            description: description, batch: batch, timesteps: timesteps, passes: times.count, median: median,
            minimum: sorted.first ?? 0, maximum: sorted.last ?? 0, flops: flops)
    }

    /// One recurrent layer over fresh weights: `kind` is simple, lstm or gru. With `stream`, each pass
    /// feeds the `timesteps` steps one call at a time through a `RecurrentStream` (the real-time API).
    public static func layer(
        kind: String, units: Int, features: Int, timesteps: Int, batch: Int, warmup: Int = 2, passes: Int = 10,
        stream: Bool = false
    ) throws -> TimingResult {
        let cell: any RecurrentCell
        let gates: Int
        switch kind {
        case "simple": (cell, gates) = (try SimpleRNNCell(units: units, inputSize: features, seed: 1), 1)
        case "lstm": (cell, gates) = (try LSTMCell(units: units, inputSize: features, seed: 1), 4)
        case "gru": (cell, gates) = (try GRUCell(units: units, inputSize: features, seed: 1), 3)
        default:
            throw RecurrentError(.invalidArgument, "unknown cell kind '\(kind)' (simple, lstm or gru)")
        }
        var layer = RNN(cell: cell, returnSequences: true)
        var generator = SeededGenerator(seed: 3)
        let x = try Initializer.randomNormal(mean: 0, stddev: 1).make(
            [batch, timesteps, features], generator: &generator)
        let flops = 2 * Double(batch * timesteps) * Double(features + units) * Double(gates * units)
        guard stream else {
            let times = try measure(warmup: warmup, passes: passes) { _ = try layer.call(x) }
            return summary(
                times, description: "\(kind) units=\(units) features=\(features)", batch: batch,
                timesteps: timesteps, flops: flops)
        }
        let streaming = try RecurrentStream(layer, batch: batch)
        // Timestep t of every sample, laid out as the stream takes it: [timesteps][batch][features].
        let steps = x.swappingFirstTwoAxes().scalars
        var output = [Float](repeating: 0, count: batch * units)
        let times = try measure(warmup: warmup, passes: passes) {
            try streaming.reset()
            try steps.withUnsafeBufferPointer { steps in
                try output.withUnsafeMutableBufferPointer { output in
                    for t in 0..<timesteps {
                        try streaming.step(
                            UnsafeBufferPointer(rebasing: steps[(t * batch * features)..<((t + 1) * batch * features)]),
                            into: output)
                    }
                }
            }
        }
        return summary(
            times, description: "\(kind) units=\(units) features=\(features), streamed one step per call",
            batch: batch, timesteps: timesteps, flops: flops)
    }
}
