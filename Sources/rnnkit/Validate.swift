import ArgumentParser
import Foundation
import KerasFormat

/// `rnnkit validate FILE [--config JSON] [--json]`: every finding; exit 0 when valid, 1 when not.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a Keras file and list every problem found.",
        discussion: """
            Errors (exit 1): layers RNNKit cannot build (custom classes, Lambda), weights missing, unused, \
            of the wrong count or shape, or not finite. Warnings (listed, exit 0): options that only matter in \
            training, such as dropout and regularizers.
            Example: rnnkit validate Examples/waveforms.keras
            """
    )

    @Argument(help: "A .keras, .h5 or weights file.")
    var file: String

    @Option(help: "The model's JSON (model.to_json()), for weights-only files.")
    var config: String?

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup(title: "Limits for reading untrusted files") var limits: Isolation.Options

    struct Report: Encodable {
        var file: String
        var valid: Bool
        var findings: [Finding]
    }

    func run() throws {
        try Isolation.run(file: file, limits: limits.limits(reading: [file, config])) { try validateFile() }
    }

    private func validateFile() throws {
        if !FileManager.default.fileExists(atPath: file) {
            throw Failure.report(KerasFormatError(.fileNotFound, file: file, reason: "no such file"))
        }
        let findings = Validation.validate(path: file, configPath: config)
        let valid = !findings.contains { $0.severity == .error }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(
                String(
                    decoding: try encoder.encode(Report(file: file, valid: valid, findings: findings)), as: UTF8.self))
        } else {
            for finding in findings { print(finding) }
            let errors = findings.filter { $0.severity == .error }.count
            print("\(file): \(valid ? "valid" : "invalid") (\(errors) errors, \(findings.count - errors) warnings)")
        }
        if !valid { throw ExitCode(1) }
    }
}
