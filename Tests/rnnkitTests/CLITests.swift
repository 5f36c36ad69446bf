import Foundation
import KerasFormat
import TestSupport
import Testing

/// Runs the built `rnnkit` binary and checks its output, stderr and exit code.
@Suite("rnnkit end to end")
struct CLITests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The binary SwiftPM built next to this test bundle.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rnnkit")
    }

    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = root
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func scratch(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rnnkit-cli-\(UUID().uuidString)-\(name)")
        try Data(bytes).write(to: url)
        return url.path
    }

    @Test(
        "inspect shows the example's layout, writer and weights",
        arguments: ["waveforms.h5", "waveforms.keras", "waveforms.weights.h5"])
    func inspect(_ name: String) throws {
        let result = try Self.run(["inspect", "Examples/\(name)"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.contains("weights: 5 datasets, 1203 values"))
        #expect(result.stdout.contains("<f4  [16, 64]"))
    }

    @Test("inspect --json is parseable and carries the layout")
    func inspectJSON() throws {
        let result = try Self.run(["inspect", "Examples/waveforms.h5", "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["layout"] as? String == "legacy-h5-model")
        #expect(object["kerasVersion"] as? String == "3.15.1")
        #expect((object["datasets"] as? [Any])?.count == 5)
    }

    @Test("bad files give one sentence on stderr naming the file, and a documented exit code")
    func badFiles() throws {
        let original = [UInt8](try Data(contentsOf: Self.root.appendingPathComponent("Examples/waveforms.h5")))
        let cases: [(String, Int32, String)] = [
            ("/nonexistent/model.h5", 66, "no such file"),
            (try Self.scratch("empty.h5", []), 65, "neither an HDF5 file"),
            (try Self.scratch("text.h5", Array("hello\n".utf8)), 65, "neither an HDF5 file"),
            (try Self.scratch("truncated.h5", Array(original.prefix(original.count / 2))), 65, "truncated or damaged"),
            (try Self.scratch("truncated.keras", [0x50, 0x4B, 0x03, 0x04, 1, 2, 3]), 65, "archive"),
        ]
        for (path, status, words) in cases {
            let result = try Self.run(["inspect", path])
            #expect(result.status == status, "\(path)")
            #expect(result.stdout.isEmpty, "\(path)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(path): \(result.stderr)")
            #expect(result.stderr.hasPrefix(path + ":"), "\(path): \(result.stderr)")
            #expect(result.stderr.contains(words), "\(path): \(result.stderr)")
            #expect(!result.stderr.contains("HDF5-DIAG"), "\(path)")
        }
    }

    @Test("a usage error exits 64 and --help shows an example")
    func usage() throws {
        #expect(try Self.run(["inspect"]).status == 64)
        #expect(try Self.run(["frobnicate"]).status == 64)
        #expect(try Self.run(["inspect", "--help"]).stdout.contains("Example: rnnkit inspect"))
    }
}

/// `rnnkit run` end to end: outputs against Keras's, several batches, and every error path.
@Suite("rnnkit run")
struct RunCommandTests {
    static func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-run-\(UUID().uuidString)-\(name)").path
    }

    /// Reads a float32 `.npy` written by rnnkit (header then little-endian floats).
    static func floats(_ path: String) throws -> [Float] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let data = bytes[(10 + headerLength)...]
        return stride(from: data.startIndex, to: data.endIndex, by: 4).map { i in
            Float(
                bitPattern: UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3])
                    << 24)
        }
    }

    @Test(
        "the example's outputs equal Keras's, from every layout",
        arguments: ["waveforms.keras", "waveforms.h5", "waveforms.weights.h5"])
    func example(_ file: String) throws {
        let output = Self.scratch("out.npy")
        var arguments = ["run", "Examples/\(file)", "--input", "Examples/waveforms_input.npy", "--output", output]
        if file.hasSuffix(".weights.h5") { arguments += ["--config", "Examples/waveforms.json"] }
        let result = try CLITests.run(arguments)
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let ours = try Self.floats(output)
        let keras = try Self.floats(CLITests.root.appendingPathComponent("Examples/waveforms_output.npy").path)
        #expect(ours.count == 24)
        expectClose(ours, keras)
    }

    @Test("printing, several batches, and an .npz for several outputs")
    func printingAndNPZ() throws {
        let printed = try CLITests.run([
            "run", "Examples/waveforms.keras", "--input", "Examples/waveforms_input.npy", "--input",
            "Examples/waveforms_input.npy",
        ])
        #expect(
            printed.status == 0 && printed.stdout.contains("batch 1")
                && printed.stdout.contains("output_0: shape [8, 3]"))
        #expect(printed.stderr.isEmpty, "progress lines are for terminals only: \(printed.stderr)")
        // A model with two outputs, on the input Keras ran it on: the .npz holds both, with Keras's values.
        struct Fixture: Decodable {
            struct Model: Decodable {
                struct Call: Decodable { var outputs: [Array32] }
                var name: String
                var inputs: [Array32]
                var calls: [Call]
            }
            var models: [Model]
        }
        let json = try Data(
            contentsOf: CLITests.root.appendingPathComponent("Tests/Fixtures/layers/models_keras3.json"))
        let model = try #require(
            try JSONDecoder().decode(Fixture.self, from: json).models.first { $0.name == "bidirectional_two_outputs" })
        let npz = Self.scratch("out.npz")
        let input = CLITests.root.appendingPathComponent("Tests/Fixtures/models/bidirectional_two_outputs.keras").path
        let arrays = Self.scratch("in.npy")
        try Data(NumPyArraysForTests.npy(model.inputs[0].values, shape: model.inputs[0].shape))
            .write(to: URL(fileURLWithPath: arrays))
        let result = try CLITests.run(["run", input, "--input", arrays, "--output", npz])
        #expect(result.status == 0, "\(result.stderr)")
        let written = try NumPyFiles.read(path: npz)
        let keras = model.calls[0].outputs
        #expect(written.map(\.key) == ["output_0", "output_1"])
        #expect(written.count == keras.count)
        for ((key, array), expected) in zip(written, keras) {
            expectClose(array.tensor, expected.tensor, key)
        }
    }

    @Test("errors: wrong shape, wrong dtype, missing config, existing output, usage")
    func errors() throws {
        let shape = try CLITests.run(["run", "Examples/waveforms.keras", "--input", "Examples/waveforms_labels.npy"])
        #expect(
            shape.status == 65
                && shape.stderr
                    == "Examples/waveforms_labels.npy: input 'signal' expects shape (None, 40, 1), the array has shape (8,)\n"
        )
        let text = Self.scratch("text.npy")
        var bytes = NumPyArraysForTests.npy([1, 2], shape: [2])
        let header = String(decoding: bytes, as: UTF8.self)
        if let range = header.range(of: "<f4") {
            let offset = header.utf8.distance(from: header.startIndex, to: range.lowerBound)
            bytes.replaceSubrange(offset..<(offset + 3), with: Array("<U1".utf8))
        }
        try Data(bytes).write(to: URL(fileURLWithPath: text))
        let dtype = try CLITests.run(["run", "Examples/waveforms.keras", "--input", text])
        #expect(
            dtype.status == 65 && dtype.stderr.contains("dtype") && dtype.stderr.split(separator: "\n").count == 1,
            "\(dtype.stderr)")
        let config = try CLITests.run([
            "run", "Examples/waveforms.weights.h5", "--input", "Examples/waveforms_input.npy",
        ])
        #expect(config.status == 65 && config.stderr.contains("--config"))
        let existing = Self.scratch("exists.npy")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: existing))
        let clobber = try CLITests.run([
            "run", "Examples/waveforms.keras", "--input", "Examples/waveforms_input.npy", "--output", existing,
        ])
        #expect(clobber.status == 73 && clobber.stderr.contains("--force"))
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep")
        #expect(try CLITests.run(["run", "Examples/waveforms.keras"]).status == 64)
        #expect(
            try CLITests.run([
                "run", "Examples/waveforms.keras", "--input", "a.npy", "--input", "b.npy", "--output", "c.npy",
            ]).status == 64)
        let missing = try CLITests.run(["run", "Examples/waveforms.keras", "--input", "/nonexistent.npy"])
        #expect(missing.status == 66 && missing.stderr == "/nonexistent.npy: no such file\n")
    }
}

/// Builds small `.npy` files for the tests (float32, little-endian).
enum NumPyArraysForTests {
    static func npy(_ values: [Float], shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        header += String(repeating: " ", count: (64 - (11 + header.utf8.count) % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
        for value in values {
            let bits = value.bitPattern
            bytes += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
        }
        return bytes
    }
}

/// `rnnkit convert` end to end.
@Suite("rnnkit convert")
struct ConvertCommandTests {
    @Test("an older model converts to .keras and runs the same; lossy conversions need consent")
    func convert() throws {
        let exact = RunCommandTests.scratch("converted.keras")
        let result = try CLITests.run(["convert", "Tests/Fixtures/models_tf_keras/encoder_decoder.h5", exact])
        #expect(result.status == 0 && result.stdout == "wrote \(exact)\n" && result.stderr.isEmpty, "\(result.stderr)")
        let inspect = try CLITests.run(["inspect", exact, "--json"])
        #expect(
            inspect.stdout.contains("\"layout\" : \"keras-archive\"")
                && inspect.stdout.contains("\"kerasVersion\" : \"3.15.1\""))

        let lossy = RunCommandTests.scratch("lossy.keras")
        let refused = try CLITests.run([
            "convert", "Tests/Fixtures/models_tf_keras/keras2_hard_sigmoid_reset_before.h5", lossy,
        ])
        #expect(refused.status == 65 && refused.stderr.split(separator: "\n").count == 1)
        #expect(
            refused.stderr.contains("hard_sigmoid") && refused.stderr.contains("largest output difference")
                && refused.stderr.contains("--accept-changes"))
        #expect(!FileManager.default.fileExists(atPath: lossy))
        let accepted = try CLITests.run([
            "convert", "Tests/Fixtures/models_tf_keras/keras2_hard_sigmoid_reset_before.h5", lossy, "--accept-changes",
        ])
        #expect(accepted.status == 0 && accepted.stderr.contains("converting with changes"))

        // Time-major layers have no Keras 3 form: refused even with consent, with the way out named.
        let timeMajor = RunCommandTests.scratch("time_major.keras")
        for flags in [[], ["--accept-changes"]] {
            let result = try CLITests.run(
                ["convert", "Tests/Fixtures/models_tf_keras/time_major.h5", timeMajor] + flags)
            #expect(
                result.status == 65
                    && result.stderr
                        == "\(timeMajor): layer 'lstm': it is time-major, which Keras 3 does not support; write it as a legacy .h5 instead\n"
            )
            #expect(!FileManager.default.fileExists(atPath: timeMajor))
        }
        let timeMajorH5 = RunCommandTests.scratch("time_major.h5")
        #expect(
            try CLITests.run(["convert", "Tests/Fixtures/models_tf_keras/time_major.h5", timeMajorH5, "--force"]).status
                == 0)

        let again = try CLITests.run(["convert", "Tests/Fixtures/models_tf_keras/encoder_decoder.h5", exact])
        #expect(again.status == 73 && again.stderr.contains("--force"))
        #expect(
            try CLITests.run(["convert", "Tests/Fixtures/models_tf_keras/encoder_decoder.h5", exact, "--force"]).status
                == 0)
        #expect(
            try CLITests.run(["convert", "Examples/waveforms.keras", RunCommandTests.scratch("out.txt")]).status == 64)
        let legacy = RunCommandTests.scratch("legacy.bin")
        #expect(try CLITests.run(["convert", "Examples/waveforms.keras", legacy, "--format", "h5"]).status == 0)
        #expect(try CLITests.run(["inspect", legacy]).stdout.contains("legacy full-model .h5"))
    }

    @Test("--dialect keras2 writes a Keras 3 model as tf.keras's legacy .h5; other layouts refuse it")
    func dialect() throws {
        let forTF = RunCommandTests.scratch("for_tf_keras.h5")
        let result = try CLITests.run(["convert", "Examples/waveforms.keras", forTF, "--dialect", "keras2"])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let inspect = try CLITests.run(["inspect", forTF, "--json"])
        #expect(inspect.stdout.contains("\"kerasVersion\" : \"2.21.0\"") && inspect.stdout.contains("tensorflow"))
        let archive = RunCommandTests.scratch("no.keras")
        let refused = try CLITests.run(["convert", "Examples/waveforms.keras", archive, "--dialect", "keras2"])
        #expect(refused.status == 64 && refused.stderr.contains("--dialect keras2 is for the legacy .h5 layouts"))
        #expect(!FileManager.default.fileExists(atPath: archive))
        let back = RunCommandTests.scratch("back.keras")
        #expect(try CLITests.run(["convert", forTF, back]).status == 0)
    }
}

/// `rnnkit bench` end to end (its numbers are measurements, never asserted; only the shape of the output).
@Suite("rnnkit bench")
struct BenchCommandTests {
    @Test("bench times a cell and a model file, in text and JSON")
    func bench() throws {
        let cell = try CLITests.run([
            "bench", "--cell", "gru", "--units", "8", "--features", "4", "--timesteps", "5", "--batch", "2", "--passes",
            "3",
        ])
        #expect(cell.status == 0 && cell.stdout.contains("median") && cell.stdout.contains("GFLOP/s"), "\(cell.stderr)")
        let json = try CLITests.run(["bench", "Examples/waveforms.keras", "--batch", "4", "--passes", "2", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["passes"] as? Int == 2 && object["batch"] as? Int == 4 && object["timesteps"] as? Int == 40)
        #expect(
            (object["median"] as? Double).map { $0 > 0 } == true && (object["flops"] as? Double).map { $0 > 0 } == true)
        #expect(try CLITests.run(["bench"]).status == 64)
        // An unknown layer kind is a usage error, as every other bad argument.
        let unknown = try CLITests.run(["bench", "--cell", "transformer"])
        #expect(unknown.status == 64 && unknown.stderr.contains("simple"), "\(unknown.stderr)")
    }

    @Test("a layer benchmark reads no file, so the reading time limit does not stop a long one")
    func longCell() throws {
        // Over a CPU second of work (a debug build runs the gates slowly) against a 1-second reading limit.
        let long = try CLITests.run([
            "bench", "--cell", "lstm", "--units", "128", "--features", "64", "--timesteps", "100", "--batch", "64",
            "--passes", "3", "--warmup", "0", "--time-limit", "1",
        ])
        #expect(long.status == 0 && long.stdout.contains("median"), "\(long.stderr)")
    }
}

/// `rnnkit inspect` at the model level.
@Suite("rnnkit inspect model view")
struct InspectModelTests {
    @Test("layers, options, inputs and parameters; a weights-only file asks for --config; unbuildable models are named")
    func model() throws {
        let example = try CLITests.run(["inspect", "Examples/waveforms.keras"])
        #expect(example.stdout.contains("model: Sequential 'waveforms', 1203 parameters"))
        #expect(
            example.stdout.contains("lstm      LSTM        <- signal")
                && example.stdout.contains("recurrent_activation=sigmoid"))
        let seq2seq = try CLITests.run(["inspect", "Tests/Fixtures/models/encoder_decoder.keras"])
        #expect(seq2seq.stdout.contains("initial_state: encoder[1], initial_state: encoder[2]"))
        let weightsOnly = try CLITests.run(["inspect", "Examples/waveforms.weights.h5"])
        #expect(weightsOnly.status == 0 && weightsOnly.stdout.contains("--config"))
        let withConfig = try CLITests.run([
            "inspect", "Examples/waveforms.weights.h5", "--config", "Examples/waveforms.json",
        ])
        #expect(withConfig.stdout.contains("1203 parameters"))
        let custom = try CLITests.run(["inspect", "Tests/Fixtures/custom/minimal.keras"])
        #expect(
            custom.status == 65 && custom.stdout.contains("cannot be built") && custom.stdout.contains("MinimalRNNCell")
        )
        let keras1 = try CLITests.run(["inspect", "Tests/Fixtures/legacy/keras1_lstm_theano.h5"])
        #expect(keras1.stdout.contains("hard_sigmoid (Keras 2: 0.2x + 0.5)"))
        let json = try CLITests.run(["inspect", "Tests/Fixtures/models/bidirectional_two_outputs.keras", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let model = try #require(object["model"] as? [String: Any])
        #expect((model["outputs"] as? [String])?.count == 2 && (model["layers"] as? [Any])?.count == 5)
    }
}

/// `rnnkit validate` end to end.
@Suite("rnnkit validate")
struct ValidateCommandTests {
    @Test("exit 0 when valid, 1 with every finding listed, JSON on request")
    func validate() throws {
        let valid = try CLITests.run(["validate", "Examples/waveforms.keras"])
        #expect(valid.status == 0 && valid.stdout.contains("valid (0 errors"))
        let invalid = try CLITests.run([
            "validate", "Examples/waveforms.weights.h5", "--config", "Tests/Fixtures/models/encoder_decoder.json",
        ])
        #expect(
            invalid.status == 1 && invalid.stdout.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 5)
        let json = try CLITests.run(["validate", "Tests/Fixtures/surrounding/unsupported.keras", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(json.status == 1 && object["valid"] as? Bool == false && (object["findings"] as? [Any])?.count == 2)
        // inspect names every layer RNNKit does not implement; run refuses with the class and the layer.
        let inspect = try CLITests.run(["inspect", "Tests/Fixtures/surrounding/unsupported.keras"])
        #expect(
            inspect.status == 65 && inspect.stdout.contains("'double' (a Lambda layer")
                && inspect.stdout.contains("'unit_norm' (the class UnitNormalization"))
        let input = RunCommandTests.scratch("unsupported-input.npy")
        try Data(NumPyArraysForTests.npy([Float](repeating: 0, count: 18), shape: [1, 6, 3])).write(
            to: URL(fileURLWithPath: input))
        let run = try CLITests.run(["run", "Tests/Fixtures/surrounding/unsupported.keras", "--input", input])
        #expect(run.status == 65 && run.stderr.contains("'double'") && run.stderr.contains("Lambda"))
        let missing = try CLITests.run(["validate", "/nonexistent.keras"])
        #expect(missing.status == 66 && missing.stderr == "/nonexistent.keras: no such file\n")
    }
}

/// Hand-damaged model files (tools/make_damaged_fixtures.py): one sentence naming the file and what is
/// wrong, exit 65 from run and 1 from validate, never a crash.
@Suite("Damaged model files")
struct DamagedFileTests {
    static let cases: [(String, String)] = [
        ("no_config.keras", "has no config.json"), ("no_weights.keras", "has no model.weights.h5"),
        ("broken_config.keras", "invalid JSON at byte"), ("truncated.keras", "cannot be read as a zip file"),
        ("truncated_weights.keras", "truncated or damaged"), ("unknown_class.keras", "FancyRNN"),
        ("missing_dataset.h5", "recurrent_kernel"), ("config_not_json.h5", "invalid JSON"),
        ("wrong_shape.h5", "slot 'bias' has shape [5]"),
    ]

    @Test("run and validate explain each damage", arguments: cases.map(\.0))
    func damaged(_ name: String) throws {
        let words = try #require(Self.cases.first { $0.0 == name }?.1)
        let path = "Tests/Fixtures/damaged/\(name)"
        let run = try CLITests.run(["run", path, "--input", "Examples/waveforms_input.npy"])
        #expect(run.status == 65 && run.stdout.isEmpty, "\(name): \(run.stderr)")
        #expect(
            run.stderr.split(separator: "\n").count == 1 && run.stderr.hasPrefix(path) && run.stderr.contains(words),
            "\(name): \(run.stderr)")
        let validate = try CLITests.run(["validate", path])
        #expect(
            validate.status == 1 && validate.stdout.contains("error:") && validate.stdout.contains("invalid"),
            "\(name): \(validate.stdout)")
        let inspect = try CLITests.run(["inspect", path])
        #expect([0, 65].contains(inspect.status) && !inspect.stderr.contains("HDF5-DIAG"), "\(name)")
    }
}
