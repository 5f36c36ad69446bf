import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `rnnkit inspect FILE --graph OUT`: DOT that Graphviz accepts, and SVG pictures that name every layer.
@Suite("rnnkit inspect --graph")
struct GraphTests {
    /// The example and the real-model shapes, from both Kerases (the sequence-to-sequence model has
    /// initial states and a Keras 3 mask node; the tf.keras one TFOpLambda masks).
    static let files = [
        "Examples/waveforms.keras", "Tests/Fixtures/surrounding/seq2seq.keras",
        "Tests/Fixtures/surrounding/sentiment.keras", "Tests/Fixtures/surrounding/dot_attention.keras",
        "Tests/Fixtures/surrounding_tf_keras/bahdanau_translator.h5",
        "Tests/Fixtures/models/bidirectional_two_outputs.keras",
        "Tests/Fixtures/models/masking_simple_rnn_time_distributed.keras",
        "Tests/Fixtures/operations/tf_op_lambda.h5", "Tests/Fixtures/convlstm/stacked_convlstm2d.keras",
    ]

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-graph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The names of the model's layers, as `inspect --json` lists them.
    static func layerNames(_ file: String) throws -> [String] {
        let result = try CLITests.run(["inspect", file, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let layers = (object?["model"] as? [String: Any])?["layers"] as? [[String: Any]] ?? []
        return layers.compactMap { $0["name"] as? String }
    }

    @Test("the DOT parses in Graphviz and the SVG holds every layer name", arguments: files)
    func pictures(_ file: String) throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dot = directory.appendingPathComponent("model.dot")
        #expect(try CLITests.run(["inspect", file, "--graph", dot.path]).status == 0)
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["dot", "-Tsvg", "-o", "/dev/null", dot.path]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "dot refused \(file)'s graph")

        let svg = directory.appendingPathComponent("model.svg")
        let drawn = try CLITests.run(["inspect", file, "--graph", svg.path])
        #expect(drawn.status == 0, "\(drawn.stderr)")
        let document = try XMLDocument(contentsOf: svg, options: [])
        let text = document.rootElement()?.stringValue ?? ""
        let names = try Self.layerNames(file)
        #expect(names.count >= 3, "\(file): \(names)")
        for name in names { #expect(text.contains(name), "\(file): the picture lacks layer '\(name)'") }
    }

    @Test("initial states and masks are drawn apart from the data")
    func edges() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dot = directory.appendingPathComponent("seq2seq.dot")
        #expect(
            try CLITests.run(["inspect", "Tests/Fixtures/surrounding/seq2seq.keras", "--graph", dot.path]).status == 0)
        let text = try String(contentsOf: dot, encoding: .utf8)
        #expect(text.components(separatedBy: "label=\"initial state\"").count - 1 == 2)
        #expect(text.contains("label=\"mask\""))
        #expect(text.contains("Bidirectional(") == false && text.contains("decoder\\nLSTM"))
        let wrapped = directory.appendingPathComponent("two.dot")
        #expect(
            try CLITests.run([
                "inspect", "Tests/Fixtures/models/bidirectional_two_outputs.keras", "--graph", wrapped.path,
            ])
            .status == 0)
        let two = try String(contentsOf: wrapped, encoding: .utf8)
        #expect(two.contains("Bidirectional(GRU)") && two.contains("TimeDistributed(Dense)"))
    }

    @Test("no Graphviz, an existing file, another extension, no model: one sentence each")
    func refusals() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let svg = directory.appendingPathComponent("model.svg").path
        let noGraphviz = try CLITests.run(
            ["inspect", "Examples/waveforms.keras", "--graph", svg], environment: ["PATH": "/nonexistent"])
        #expect(noGraphviz.status != 0 && noGraphviz.stderr.contains("apt install graphviz"), "\(noGraphviz.stderr)")
        #expect(!FileManager.default.fileExists(atPath: svg))
        let dot = directory.appendingPathComponent("model.dot").path
        #expect(try CLITests.run(["inspect", "Examples/waveforms.keras", "--graph", dot]).status == 0)
        let again = try CLITests.run(["inspect", "Examples/waveforms.keras", "--graph", dot])
        #expect(again.status != 0 && again.stderr.contains("--force"))
        #expect(try CLITests.run(["inspect", "Examples/waveforms.keras", "--graph", dot, "--force"]).status == 0)
        let pdf = try CLITests.run(["inspect", "Examples/waveforms.keras", "--graph", directory.path + "/m.pdf"])
        #expect(pdf.status != 0 && pdf.stderr.contains(".dot, .svg or .png"))
        let weights = try CLITests.run(["inspect", "Examples/waveforms.weights.h5", "--graph", dot, "--force"])
        #expect(weights.status != 0 && weights.stderr.split(separator: "\n").count == 1, "\(weights.stderr)")
    }
}
