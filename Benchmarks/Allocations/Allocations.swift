import Benchmark
import RecurrentLayers

/// Mallocs per forward pass of each built-in recurrent layer at 100 and at 200 timesteps: the counts
/// are equal when nothing is allocated per timestep (workspaces are sized once per call). And mallocs
/// per `RecurrentStream` step, which should be zero. ConvLSTM2D the same way at 10 and 20 timesteps.
let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.mallocCountTotal, .wallClock], maxDuration: .seconds(2), maxIterations: 50)
    let cells: [(String, @Sendable () throws -> any RecurrentCell)] = [
        ("SimpleRNN", { try SimpleRNNCell(units: 128, inputSize: 64, seed: 1) }),
        ("LSTM", { try LSTMCell(units: 128, inputSize: 64, seed: 1) }),
        ("GRU reset after", { try GRUCell(units: 128, inputSize: 64, seed: 1) }),
        ("GRU reset before", { try GRUCell(units: 128, inputSize: 64, resetAfter: false, seed: 1) }),
    ]
    for (name, make) in cells {
        for batch in [1, 32] {
            for timesteps in [100, 200] {
                Benchmark("\(name) batch \(batch) timesteps \(timesteps)", configuration: configuration) {
                    benchmark in
                    var layer = RNN(cell: try make(), returnSequences: true)
                    let x = Tensor(repeating: 0.5, shape: [batch, timesteps, 64])
                    benchmark.startMeasurement()
                    blackHole(try layer.call(x))
                }
            }
        }
        Benchmark("\(name) stream, 100 steps", configuration: configuration) { benchmark in
            let stream = try RecurrentStream(RNN(cell: try make()))
            let input = [Float](repeating: 0.5, count: 64)
            var output = [Float](repeating: 0, count: 128)
            benchmark.startMeasurement()
            for _ in 0..<100 { try stream.step(input, into: &output) }
            blackHole(output)
        }
    }
    for timesteps in [10, 20] {
        Benchmark("ConvLSTM2D batch 2 timesteps \(timesteps)", configuration: configuration) { benchmark in
            let cell = try ConvLSTMCell(
                filters: 16, kernelSize: [3, 3], inputSpatial: [16, 16], channels: 3, padding: .same, seed: 1)
            var layer = RNN(cell: cell, returnSequences: true)
            let x = Tensor(repeating: 0.5, shape: [2, timesteps, 16, 16, 3])
            benchmark.startMeasurement()
            blackHole(try layer.call(x))
        }
    }
}
