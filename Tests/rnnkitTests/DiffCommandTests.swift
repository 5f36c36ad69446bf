import Foundation
import Testing

/// `rnnkit diff A B`: exit 0 for the same function, 1 for models that differ, 65 for a file it cannot read.
@Suite("rnnkit diff")
struct DiffCommandTests {
    @Test("a file and its conversion: exit 0, and the report says why")
    func same() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-diff-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let converted = directory.appendingPathComponent("w.h5").path
        #expect(
            try CLITests.run(["convert", "Examples/waveforms.keras", converted, "--dialect", "keras2"]).status == 0)
        let result = try CLITests.run(["diff", "Examples/waveforms.keras", converted])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("weights: 5 slots, all identical"))
        #expect(result.stdout.contains("same function (within 1e-06)"))
        let weightsOnly = try CLITests.run([
            "diff", "Examples/waveforms.h5", "Examples/waveforms.weights.h5", "--config-b", "Examples/waveforms.json",
            "--input", "Examples/waveforms_input.npy",
        ])
        #expect(weightsOnly.status == 0, "\(weightsOnly.stdout)\(weightsOnly.stderr)")
        #expect(weightsOnly.stdout.contains("on the Examples/waveforms_input.npy"))
    }

    @Test("models with other weights: exit 1, the slots named; a file it cannot read: exit 65")
    func differ() throws {
        let result = try CLITests.run([
            "diff", "Tests/Fixtures/models/stateful_lstm.keras", "Tests/Fixtures/models_tf_keras/stateful_lstm.h5",
        ])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("~ lstm/") && result.stdout.contains("the models differ"))
        let json = try CLITests.run([
            "diff", "Tests/Fixtures/models/stateful_lstm.keras", "Tests/Fixtures/models_tf_keras/stateful_lstm.h5",
            "--json",
        ])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(json.status == 1 && object?["same"] as? Bool == false)
        let unreadable = try CLITests.run([
            "diff", "Examples/waveforms.keras", "Tests/Fixtures/damaged/truncated.keras",
        ])
        #expect(unreadable.status == 65 && unreadable.stderr.split(separator: "\n").count == 1, "\(unreadable.stderr)")
    }
}
