import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Conv1DTranspose, Conv2DTranspose and Conv3DTranspose (issue 16), from files Keras 3.15.1 wrote
/// (tools/make_transpose_fixtures.py): one small model per option and a frame predictor that upsamples each
/// ConvLSTM2D frame, read from .keras and .h5, written in every layout and in tf.keras's dialect.
@Suite("Transposed convolutions")
struct TransposeConvolutionTests {
    static let fixture: ModelFileTests.Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("transpose/outputs.json"))
        return try! JSONDecoder().decode(ModelFileTests.Fixture.self, from: data)
    }()

    @Test(
        "each transposed convolution case returns Keras's outputs, from .keras and legacy .h5",
        arguments: fixture.models.map(\.name), ["keras", "h5"])
    func read(_ name: String, _ layout: String) throws {
        let item = try #require(Self.fixture.models.first { $0.name == name })
        try SurroundingLayerTests.check(item, path: LayoutTests.fixture("transpose/\(name).\(layout)"))
    }

    @Test(
        "each case written in every layout (and in tf.keras's dialect) reads back with Keras's outputs",
        arguments: KerasWriteFormat.allCases)
    func write(_ format: KerasWriteFormat) throws {
        let directory = try NestedModelTests.directory("transpose")
        let weightsOnly = format == .kerasWeights || format == .legacyWeights
        for item in Self.fixture.models {
            let source = try KerasModel.load(path: LayoutTests.fixture("transpose/\(item.name).keras"))
            let path = directory.appendingPathComponent("\(item.name).\(format.rawValue)").path
            try source.write(to: path, format: format, overwrite: true)
            let config = directory.appendingPathComponent("\(item.name).json").path
            if weightsOnly { try source.config.jsonText.write(toFile: config, atomically: true, encoding: .utf8) }
            try SurroundingLayerTests.check(item, path: path, config: weightsOnly ? config : nil)
            if format == .legacyModel, !item.name.contains("channels_first") {
                // TensorFlow's CPU kernels have no channels-first transposed convolution.
                let keras2 = directory.appendingPathComponent("\(item.name).keras2.h5").path
                try source.write(to: keras2, format: .legacyModel, dialect: .keras2, overwrite: true)
                try SurroundingLayerTests.check(item, path: keras2)
            }
        }
    }

    @Test(
        "one input step adds the kernel times its channels at stride steps: Keras's kernel layout [k, filters, channels]"
    )
    func layout() throws {
        var layer = try ConvolutionTranspose(filters: 2, kernelSize: [2], channels: 1, strides: [3], useBias: false)
        // Kernel [2, 2, 1]: tap 0 gives filters (1, 2), tap 1 gives (3, 4).
        try layer.setWeights([Tensor(shape: [2, 2, 1], scalars: [1, 2, 3, 4])])
        let y = try layer.call(Tensor(shape: [1, 2, 1], scalars: [10, 100]))
        // valid, stride 3 above the kernel: 2 * 3 steps; step 2 and 5 are nobody's.
        #expect(y.shape == [1, 6, 2])
        #expect(y.scalars == [10, 20, 30, 40, 0, 0, 100, 200, 300, 400, 0, 0])
    }
}
