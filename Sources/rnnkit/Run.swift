import ArgumentParser
import Foundation
import KerasFormat

/// `rnnkit run FILE [--config JSON] --input X [--output Y]`: the forward pass.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a Keras model on NumPy arrays.",
        discussion: """
            Inputs are .npy (one model input) or .npz (keys input_0, input_1, ... in model order, or the \
            inputs' names); float and integer arrays are accepted. Several --input files run as successive \
            batches, stateful layers carrying their state. Outputs go to .npy (one output) or .npz \
            (output_0, output_1, ...), one --output per --input; without --output they are printed.
            Example: rnnkit run Examples/waveforms.keras --input Examples/waveforms_input.npy
            """
    )

    @Argument(help: "A .keras, .h5 or weights file (the layout is detected from the content).")
    var file: String

    @Option(help: "The model's JSON (model.to_json()), for weights-only files.")
    var config: String?

    @Option(help: "A .npy or .npz input batch; repeat for successive batches.")
    var input: [String] = []

    @Option(help: "Where to write the outputs (.npy or .npz); one per --input.")
    var output: [String] = []

    @Flag(help: "Replace existing output files.")
    var force = false

    @OptionGroup(title: "Limits for reading untrusted files") var limits: Isolation.Options

    func validate() throws {
        guard !input.isEmpty else { throw ValidationError("Give at least one --input file.") }
        guard output.isEmpty || output.count == input.count else {
            throw ValidationError("Give one --output per --input (\(input.count)), or none to print the outputs.")
        }
    }

    func run() throws {
        try Isolation.run(file: file, outputs: output, limits: limits.limits(reading: [file, config] + input)) {
            try runModel()
        }
    }

    private func runModel() throws {
        do {
            var model = try KerasModel.load(path: file, configPath: config)
            Isolation.readingFinished()
            for (index, path) in input.enumerated() {
                if input.count > 1 { progress("batch \(index + 1) of \(input.count): \(path)") }
                let outputs = try model.run(try NumPyFiles.read(path: path), file: path)
                if output.isEmpty {
                    if input.count > 1 { print("batch \(index) (\(path)):") }
                    print(TensorText.outputs(outputs))
                } else {
                    try NumPyFiles.write(outputs, to: output[index], overwrite: force)
                }
            }
        } catch let error as KerasFormatError {
            throw Failure.report(error)
        }
    }
}
