import ArgumentParser
import Foundation
import KerasFormat

extension KerasWriteFormat: ExpressibleByArgument {}
extension KerasDialect: ExpressibleByArgument {}

/// `rnnkit convert IN OUT [--config JSON] [--format F] [--dialect D] [--force] [--accept-changes]`.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a Keras file to another layout (and an older model to Keras 3).",
        discussion: """
            The layout follows OUT's name: .keras (Keras 3 archive), .weights.h5 (Keras 3 weights), .h5 \
            (legacy full model); --format overrides it. Keras 1, Keras 2 and tf.keras models become Keras 3 \
            models on the way to .keras or .weights.h5. A legacy .h5 keeps the model's own dialect unless \
            --dialect asks for the other: --dialect keras2 writes the config tf.keras (TensorFlow 2's Keras, \
            tf_keras) loads, --dialect keras3 Keras 3's. Where the target cannot express the model's math \
            exactly (hard_sigmoid differs between Keras 2 and 3), convert names the change and the largest \
            output difference it measured on a probe input, and refuses unless --accept-changes. Writes are \
            atomic; an existing OUT is only replaced with --force.
            Examples: rnnkit convert old_keras2_model.h5 archived.keras
                      rnnkit convert model.keras for_tf_keras.h5 --dialect keras2
            """
    )

    @Argument(help: "The file to convert (any layout, detected from the content).")
    var input: String

    @Argument(help: "The file to write.")
    var output: String

    @Option(help: "The model's JSON (model.to_json()), for weights-only input files.")
    var config: String?

    @Option(help: "The layout to write: keras, weights.h5 or h5 (default: from OUT's name).")
    var format: KerasWriteFormat?

    @Option(
        help:
            "The config dialect: keras3, or keras2 for tf.keras (legacy .h5 only; default: keras3 for .keras and .weights.h5, the model's own for .h5)."
    )
    var dialect: KerasDialect?

    @Flag(help: "Replace OUT if it exists.")
    var force = false

    @Flag(help: "Write even when Keras 3 cannot express the model exactly.")
    var acceptChanges = false

    @OptionGroup(title: "Limits for reading untrusted files") var limits: Isolation.Options

    func validate() throws {
        guard format != nil || Self.format(for: output) != nil else {
            throw ValidationError(
                "Cannot tell the layout from '\(output)': name it .keras, .weights.h5 or .h5, or pass --format.")
        }
        if dialect == .keras2, let target = format ?? Self.format(for: output),
            target == .kerasArchive || target == .kerasWeights
        {
            throw ValidationError(
                "--dialect keras2 is for the legacy .h5 layouts; RNNKit writes \(target.rawValue) files in Keras 3's dialect only."
            )
        }
    }

    static func format(for path: String) -> KerasWriteFormat? {
        if path.hasSuffix(".keras") { return .kerasArchive }
        if path.hasSuffix(".weights.h5") { return .kerasWeights }
        if path.hasSuffix(".h5") || path.hasSuffix(".hdf5") { return .legacyModel }
        return nil
    }

    func run() throws {
        try Isolation.run(file: input, outputs: [output], limits: limits.limits(reading: [input, config])) {
            try convert()
        }
    }

    private func convert() throws {
        let target = format ?? Self.format(for: output)!
        do {
            progress("reading \(input)")
            var model = try KerasModel.load(path: input, configPath: config)
            let wanted = dialect ?? (target == .legacyModel || target == .legacyWeights ? model.dialect : .keras3)
            if wanted != model.dialect {
                let report = try model.measureConversion(to: wanted, file: output)
                model = report.model
                if !report.changes.isEmpty {
                    let summary =
                        "\(report.changes.joined(separator: "; ")) (largest output difference on a probe input: \(report.largestDifference))"
                    guard acceptChanges else {
                        throw KerasFormatError(
                            .unsupportedLayer, file: input,
                            reason:
                                "\(wanted.generation) cannot express this model exactly: \(summary); pass --accept-changes to convert anyway"
                        )
                    }
                    FileHandle.standardError.write(Data("\(input): converting with changes: \(summary)\n".utf8))
                }
            }
            progress("writing \(output)")
            try model.write(
                to: output, format: target, dialect: wanted, overwrite: force, acceptingChanges: acceptChanges)
            print("wrote \(output)")
        } catch let error as KerasFormatError {
            throw Failure.report(error)
        }
    }
}
