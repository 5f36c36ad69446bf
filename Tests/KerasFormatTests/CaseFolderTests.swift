import Foundation
import KerasFormat
import RecurrentLayers
import TestSupport
import Testing

/// Folders of small Keras 3.15.1 models, one per layer option, each with its inputs and Keras's outputs
/// (issue 16): read from .keras and legacy .h5, written in every layout and in tf.keras's dialect, and
/// left in `$RNNKIT_INTEROP_DIR/<folder>` for the interop suites.
/// - `separable` (tools/make_separable_fixtures.py): DepthwiseConv1D/2D and SeparableConv1D/2D, and a
///   separable CNN on every frame of a clip before a GRU;
/// - `transpose` (tools/make_transpose_fixtures.py): Conv1D/2D/3DTranspose, UpSampling2D's bilinear
///   interpolation, a frame predictor upsampling each ConvLSTM2D frame;
/// - `attention_axes` (tools/make_attention_axes_fixtures.py): MultiHeadAttention over grids of rank 4 and
///   5 along chosen axes, cross-attention to a grid of another size, returned scores, an attention_mask
///   input alone and joined with a padding mask and the causal mask, masks over grids (the causal mask over
///   one axis, attention_mask tensors Keras broadcasts), and Keras 3.15's `sliding_window` and `use_gate`
///   (the `keras3` cases, which tf.keras's dialect refuses).
@Suite("Layer cases by folder: separable, transposed, attention over grids")
struct CaseFolderTests {
    static let folders = ["separable", "transpose", "attention_axes"]
    /// Cases tf.keras cannot run: TensorFlow's CPU kernels have no channels-first depthwise or transposed
    /// convolution.
    static func tfKerasRuns(_ name: String) -> Bool { !name.contains("channels_first") || name.hasPrefix("upsampling") }
    /// Cases with options only Keras 3 has, which the tf.keras dialect refuses to write.
    static func keras3Only(_ name: String) -> Bool { name.contains("_keras3_") }

    static let fixtures: [String: ModelFileTests.Fixture] = Dictionary(
        uniqueKeysWithValues: folders.map { folder in
            let data = try! Data(contentsOf: LayoutTests.fixtures.appendingPathComponent("\(folder)/outputs.json"))
            return (folder, try! JSONDecoder().decode(ModelFileTests.Fixture.self, from: data))
        })

    static let cases: [String] = folders.flatMap { folder in fixtures[folder]!.models.map { "\(folder)/\($0.name)" } }

    static func item(_ path: String) throws -> ModelFileTests.Case {
        let (folder, name) = (String(path.split(separator: "/")[0]), String(path.split(separator: "/")[1]))
        return try #require(fixtures[folder]?.models.first { $0.name == name })
    }

    @Test("each case returns Keras's outputs, from .keras and legacy .h5", arguments: cases, ["keras", "h5"])
    func read(_ path: String, _ layout: String) throws {
        try SurroundingLayerTests.check(try Self.item(path), path: LayoutTests.fixture("\(path).\(layout)"))
    }

    @Test(
        "each case written in every layout (and in tf.keras's dialect) reads back with Keras's outputs",
        arguments: cases)
    func write(_ path: String) throws {
        let (folder, name) = (String(path.split(separator: "/")[0]), String(path.split(separator: "/")[1]))
        let item = try Self.item(path)
        let directory = try NestedModelTests.directory(folder)
        let source = try KerasModel.load(path: LayoutTests.fixture("\(path).keras"))
        let config = directory.appendingPathComponent("\(name).json").path
        try source.config.jsonText.write(toFile: config, atomically: true, encoding: .utf8)
        for format in KerasWriteFormat.allCases {
            let written = directory.appendingPathComponent("\(name).\(format.rawValue)").path
            try source.write(to: written, format: format, overwrite: true)
            let weightsOnly = format == .kerasWeights || format == .legacyWeights
            try SurroundingLayerTests.check(item, path: written, config: weightsOnly ? config : nil)
        }
        if Self.keras3Only(name) {
            let keras2 = directory.appendingPathComponent("\(name).keras2.h5").path
            let error = #expect(throws: KerasFormatError.self) {
                try source.write(to: keras2, format: .legacyModel, dialect: .keras2, overwrite: true)
            }
            #expect(error?.description.contains("is not in tf.keras's MultiHeadAttention") == true)
            #expect(!FileManager.default.fileExists(atPath: keras2))
        } else if Self.tfKerasRuns(name) {
            let keras2 = directory.appendingPathComponent("\(name).keras2.h5").path
            try source.write(to: keras2, format: .legacyModel, dialect: .keras2, overwrite: true)
            try SurroundingLayerTests.check(item, path: keras2)
        }
    }

    @Test("the depthwise kernel reads back as it was set ([kernel..., channels, multiplier], Keras's layout)")
    func depthwiseLayout() throws {
        var layer = try DepthwiseConvolution(depthMultiplier: 2, kernelSize: [2, 1], channels: 3)
        let kernel = Tensor(shape: [2, 1, 3, 2], scalars: (0..<12).map(Float.init))
        let bias = Tensor(shape: [6], scalars: (0..<6).map { Float($0) / 2 })
        try layer.setWeights([kernel, bias])
        #expect(layer.weights.map(\.shape) == [[2, 1, 3, 2], [6]])
        #expect(layer.weights[0].scalars == kernel.scalars)
        #expect(layer.weights[1].scalars == bias.scalars)
    }
}
