import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Conv1DTranspose, Conv2DTranspose and Conv3DTranspose (issue 16), from files Keras 3.15.1 wrote
/// (tools/make_transpose_fixtures.py): one small model per option and a frame predictor that upsamples each
/// ConvLSTM2D frame, read from .keras and .h5, written in every layout and in tf.keras's dialect.
@Suite("Transposed convolutions and bilinear upsampling")
struct TransposeConvolutionTests {
    static let fixture: ModelFileTests.Fixture = {
        let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("transpose/outputs.json"))
        return try! JSONDecoder().decode(ModelFileTests.Fixture.self, from: data)
    }()

    @Test(
        "each transposed convolution and bilinear upsampling case returns Keras's outputs, from .keras and legacy .h5",
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
}
