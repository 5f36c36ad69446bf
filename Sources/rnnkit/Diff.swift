import ArgumentParser
import Foundation
import KerasFormat

/// `rnnkit diff A B`: whether two model files compute the same function, and what differs.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two model files: layers, weights and outputs.",
        discussion: """
            Any two layouts and generations (a file and its conversion, say). Layers are matched by name; \
            options, classes and weights (slot by slot) are compared, then the outputs on a seeded probe input \
            or on --input. Exit 0 when the models compute the same function within --tolerance (no layer \
            added or removed, every weight and output within it), 1 when they differ, 65 when a file cannot be \
            read.
            Example: rnnkit diff old_keras2_model.h5 archived.keras
            """
    )

    @Argument(help: "The first model file (A).")
    var a: String

    @Argument(help: "The second model file (B).")
    var b: String

    @Option(name: .customLong("config-a"), help: "A's JSON (model.to_json()), when A is weights-only.")
    var configA: String?

    @Option(name: .customLong("config-b"), help: "B's JSON, when B is weights-only.")
    var configB: String?

    @Option(help: "A .npy or .npz input to compare the outputs on (default: a seeded probe input).")
    var input: String?

    @Option(help: "The largest difference of a weight or an output still counted the same.")
    var tolerance: Double = 1e-6

    @Flag(help: "Print JSON (Schemas/diff.schema.json).")
    var json = false

    @OptionGroup(title: "Limits for reading untrusted files") var limits: Isolation.Options

    func run() throws {
        try Isolation.run(file: a, limits: limits.limits(reading: [a, b, configA, configB, input])) { try compare() }
    }

    private func compare() throws {
        let report: ModelDiff
        do {
            let first = try KerasModel.load(path: a, configPath: configA)
            let second = try KerasModel.load(path: b, configPath: configB)
            Isolation.readingFinished()
            let tensors = try input.map { try first.inputTensors(try NumPyFiles.read(path: $0), file: $0) }
            report = try first.difference(from: second, inputs: tensors, inputName: input, tolerance: tolerance)
        } catch let error as KerasFormatError {
            throw Failure.report(error)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report)
        }
        if !report.same { throw ExitCode(1) }
    }
}
