// waveform-classifier MODEL CSV: names the waveform (sine, square or sawtooth) of each signal in CSV, one
// signal of 40 comma-separated samples per row, with the model's probabilities. MODEL is the bundled
// example (Examples/waveforms.keras, or its .h5) or any Keras file of the same shape.

import Foundation
import KerasFormat

let classes = ["sine", "square", "sawtooth"]
let steps = 40

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(1)
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 2, let modelPath = arguments.first, let csvPath = arguments.last else {
    fail("usage: waveform-classifier MODEL CSV (for example ../waveforms.keras signals.csv)")
}

// The signals: one row each, every value a number.
guard let text = try? String(contentsOfFile: csvPath, encoding: .utf8) else { fail("\(csvPath): cannot read") }
var signals: [Float] = []
var rows = 0
for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() {
    let fields = line.split(separator: ",", omittingEmptySubsequences: false)
    let values = fields.compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
    guard values.count == fields.count, values.count == steps else {
        fail("\(csvPath): row \(index + 1) holds \(fields.count) fields, expected \(steps) numbers")
    }
    signals += values
    rows += 1
}
guard rows > 0 else { fail("\(csvPath): no signals") }

// The model, and one forward pass over every row at once ([rows, 40 steps, 1 channel] in, [rows, 3] out).
do {
    var model = try KerasModel.load(path: modelPath)
    let (probabilities, shape) = try model.predict(signals, shape: [rows, steps, 1])
    guard shape == [rows, classes.count] else { fail("\(modelPath): the model answers \(shape), not [\(rows), 3]") }
    print("row,waveform," + classes.map { "p_\($0)" }.joined(separator: ","))
    for row in 0..<rows {
        let scores = Array(probabilities[(row * classes.count)..<((row + 1) * classes.count)])
        let best = scores.indices.max { scores[$0] < scores[$1] }!
        print("\(row + 1),\(classes[best])," + scores.map { String($0) }.joined(separator: ","))
    }
} catch let error as KerasFormatError {
    fail(error.description)
} catch {
    fail("\(error)")
}
