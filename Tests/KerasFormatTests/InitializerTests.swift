import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// A layer built from its Keras config gets fresh weights from the config's initializers, as Keras's
/// `from_config` and `build` give it: the values Keras's fixed initializers give, and for random ones
/// draws whose mean and spread match the ones Keras drew (tools/make_initializer_fixtures.py).
@Suite("Initializers from Keras configs")
struct InitializerTests {
    static let cases: [JSONValue] = {
        let url = LayoutTests.fixtures.appendingPathComponent("initializers/cases.json")
        return try! JSONValue.parse(String(decoding: try! Data(contentsOf: url), as: UTF8.self)).arrayValue!
    }()

    @Test("the fixture holds every case the script writes")
    func count() {
        #expect(Self.cases.count == 14)
    }

    @Test("each layer's weights follow its config's initializers", arguments: 0..<14)
    func initialized(_ index: Int) throws {
        let record = Self.cases[index]
        let name = record["name"]?.stringValue ?? "case \(index)"
        let inputShape = (record["input_shape"]?.arrayValue ?? []).map { $0.intValue }
        let layer = try ModelLayer(kerasConfig: try #require(record["config"]), inputShape: inputShape)
        let expected = record["weights"]?.arrayValue ?? []
        let weights = layer.weights
        try #require(
            weights.count == expected.count, "\(name): \(weights.count) weights, Keras built \(expected.count)")
        for (ours, keras) in zip(weights, expected) {
            let label = "\(name) \(keras["path"]?.stringValue ?? "")"
            #expect(ours.shape == (keras["shape"]?.arrayValue ?? []).compactMap(\.intValue), "\(label): shape")
            if let values = keras["values"]?.arrayValue {
                expectClose(ours.scalars, values.compactMap { $0.doubleValue.map(Float.init) }, label)
                continue
            }
            let (mean, std, largest) = Self.statistics(ours.scalars)
            let kerasMean = Float(keras["mean"]?.doubleValue ?? .nan)
            let kerasStd = Float(keras["std"]?.doubleValue ?? .nan)
            let kerasLargest = Float(keras["max_abs"]?.doubleValue ?? .nan)
            // Two samples of one distribution: the means within five standard errors, the spreads within
            // 5% plus four standard errors of a standard deviation, the largest values of a like size.
            let n = Float(ours.scalars.count)
            #expect(
                abs(mean - kerasMean) <= 5 * kerasStd / n.squareRoot(), "\(label): mean \(mean), Keras \(kerasMean)")
            #expect(
                abs(std - kerasStd) <= kerasStd * (0.05 + 4 / (2 * n).squareRoot()),
                "\(label): standard deviation \(std), Keras \(kerasStd)")
            #expect(
                largest <= kerasLargest * 1.6 && largest >= kerasLargest / 1.6,
                "\(label): largest magnitude \(largest), Keras \(kerasLargest)")
        }
    }

    static func statistics(_ values: [Float]) -> (mean: Float, std: Float, largest: Float) {
        let n = Double(values.count)
        let mean = values.reduce(0.0) { $0 + Double($1) } / n
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        let largest = values.reduce(Float(0)) { $1.isNaN ? .nan : max($0, abs($1)) }
        return (Float(mean), Float(variance.squareRoot()), largest)
    }

    @Test("an initializer Keras does not have is refused by name")
    func unknown() throws {
        var config = try #require(Self.cases.first?["config"]?.objectValue)
        var inner = try #require(config["config"]?.objectValue)
        inner["kernel_initializer"] = .string("golden_ratio")
        config["config"] = .object(inner)
        let error = #expect(throws: KerasFormatError.self) {
            try ModelLayer(kerasConfig: .object(config), inputShape: [64])
        }
        #expect(error?.description.contains("golden_ratio") == true, "\(String(describing: error))")
    }
}

extension InitializerTests {
    @Test("layers built in Swift write the initializers Keras's get_config gives them by default")
    func writtenDefaults() throws {
        let conv = ModelLayer.feedForward(try Convolution(filters: 4, kernelSize: [3, 3], channels: 2, name: "conv"))
        let config = try conv.kerasConfig()["config"]
        #expect(config?["kernel_initializer"]?["class_name"]?.stringValue == "GlorotUniform")
        #expect(config?["bias_initializer"]?["class_name"]?.stringValue == "Zeros")
        let norm = ModelLayer.feedForward(BatchNormalization(size: 3, name: "norm"))
        let normConfig = try norm.kerasConfig()["config"]
        let written = ["gamma", "beta", "moving_mean", "moving_variance"].map {
            normConfig?["\($0)_initializer"]?["class_name"]?.stringValue
        }
        #expect(written == ["Ones", "Zeros", "Zeros", "Ones"])
        // ... and read back, they make the weights the Swift layer started with.
        let again = try ModelLayer(kerasConfig: try norm.kerasConfig(), inputShape: [5, 3])
        #expect(again.weights.map(\.scalars) == norm.weights.map(\.scalars))
    }
}
