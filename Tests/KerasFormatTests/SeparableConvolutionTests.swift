import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// DepthwiseConv1D/2D and SeparableConv1D/2D (issue 16), from files Keras 3.15.1 wrote
/// (tools/make_separable_fixtures.py): one small model per option and a separable CNN on every frame of a
/// clip before a GRU, read from .keras and .h5, written in every layout and in tf.keras's dialect.
@Suite("Depthwise and separable convolutions")
struct SeparableConvolutionTests {
    static let fixture: ModelFileTests.Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("separable/outputs.json"))
        return try! JSONDecoder().decode(ModelFileTests.Fixture.self, from: data)
    }()

    @Test(
        "each depthwise and separable case returns Keras's outputs, from .keras and legacy .h5",
        arguments: fixture.models.map(\.name), ["keras", "h5"])
    func read(_ name: String, _ layout: String) throws {
        let item = try #require(Self.fixture.models.first { $0.name == name })
        try SurroundingLayerTests.check(item, path: LayoutTests.fixture("separable/\(name).\(layout)"))
    }

    @Test(
        "each case written in every layout (and in tf.keras's dialect) reads back with Keras's outputs",
        arguments: KerasWriteFormat.allCases)
    func write(_ format: KerasWriteFormat) throws {
        let directory = try NestedModelTests.directory("separable")
        let weightsOnly = format == .kerasWeights || format == .legacyWeights
        for item in Self.fixture.models {
            let source = try KerasModel.load(path: LayoutTests.fixture("separable/\(item.name).keras"))
            let path = directory.appendingPathComponent("\(item.name).\(format.rawValue)").path
            try source.write(to: path, format: format, overwrite: true)
            let config = directory.appendingPathComponent("\(item.name).json").path
            if weightsOnly { try source.config.jsonText.write(toFile: config, atomically: true, encoding: .utf8) }
            try SurroundingLayerTests.check(item, path: path, config: weightsOnly ? config : nil)
            if format == .legacyModel, !item.name.contains("channels_first") {
                // TensorFlow's CPU kernels have no channels-first depthwise convolution.
                let keras2 = directory.appendingPathComponent("\(item.name).keras2.h5").path
                try source.write(to: keras2, format: .legacyModel, dialect: .keras2, overwrite: true)
                try SurroundingLayerTests.check(item, path: keras2)
            }
        }
    }

    @Test("the depthwise kernel reads back as it was set ([kernel..., channels, multiplier], Keras's layout)")
    func layout() throws {
        var layer = try DepthwiseConvolution(depthMultiplier: 2, kernelSize: [2, 1], channels: 3)
        let kernel = Tensor(shape: [2, 1, 3, 2], scalars: (0..<12).map(Float.init))
        let bias = Tensor(shape: [6], scalars: (0..<6).map { Float($0) / 2 })
        try layer.setWeights([kernel, bias])
        #expect(layer.weights.map(\.shape) == [[2, 1, 3, 2], [6]])
        #expect(layer.weights[0].scalars == kernel.scalars)
        #expect(layer.weights[1].scalars == bias.scalars)
    }
}
