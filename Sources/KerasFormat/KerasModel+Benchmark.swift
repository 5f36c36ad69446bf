import Foundation
import RecurrentLayers

extension KerasModel {
    /// Times forward passes of the model on seeded random inputs of `batch` x `timesteps` (where the
    /// model leaves them open), counting the FLOPs of its recurrent and dense products.
    public func benchmark(batch: Int?, timesteps: Int?, warmup: Int = 2, passes: Int = 10) throws -> TimingResult {
        var generator = SeededGenerator(seed: 5)
        var chosenBatch = 1
        var chosenTimesteps = 1
        let tensors = try inputs.map { input -> Tensor in
            let shape = input.shape.enumerated().map { axis, dim -> Int in
                if axis == 0 { return dim ?? batch ?? 8 }
                if axis == 1 { return timesteps ?? dim ?? 16 }
                return dim ?? 1
            }
            chosenBatch = shape.first ?? 1
            chosenTimesteps = shape.count > 1 ? shape[1] : 1
            if feedsEmbedding(input.name) {
                return Tensor(
                    shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(1 + generator.next() % 2) })
            }
            return try Initializer.randomNormal(mean: 0, stddev: 1).make(shape, generator: &generator)
        }
        var running = model
        let times = try Timing.measure(warmup: warmup, passes: passes) { _ = try running.call(tensors) }
        return Timing.summary(
            times, description: model.name, batch: chosenBatch, timesteps: chosenTimesteps,
            flops: flopEstimate(batch: chosenBatch, timesteps: chosenTimesteps))
    }

    func feedsEmbedding(_ inputName: String) -> Bool {
        model.nodes.contains { node in
            guard case .feedForward(let layer) = model.layers[node.layer], layer is Embedding,
                let source = node.inputs.first
            else { return false }
            return model.layers[model.nodes[source.node].layer].name == inputName
        }
    }

    /// Two FLOPs per multiply-add of every kernel, applied once per timestep for recurrent layers.
    func flopEstimate(batch: Int, timesteps: Int) -> Double {
        model.layers.reduce(0) { total, layer in
            let products = layer.weightSlots.filter { $0.shape.count == 2 && !$0.name.hasSuffix("embeddings") }.reduce(
                0
            ) { $0 + Double($1.shape[0] * $1.shape[1]) }
            switch layer {
            case .recurrent, .bidirectional: return total + 2 * Double(batch * timesteps) * products
            default: return total + 2 * Double(batch) * products
            }
        }
    }
}
