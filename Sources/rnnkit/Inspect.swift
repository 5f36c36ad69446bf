import ArgumentParser
import Foundation
import KerasFormat

/// `rnnkit inspect FILE [--json]`: what a Keras file holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a Keras file's model (layers, options, weights, parameters) and its storage.",
        discussion: """
            The model view needs a config: in the file, or --config for weights-only files; without one, and \
            for models with layers RNNKit cannot build (named in the output), only the storage is shown.
            Example: rnnkit inspect Examples/waveforms.h5
            """
    )

    @Option(help: "The model's JSON (model.to_json()), for weights-only files.")
    var config: String?

    @Argument(help: "A .h5, .weights.h5 or .keras file (the layout is detected from the content).")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Also draw the model: OUT.dot (DOT text), OUT.svg or OUT.png (with Graphviz's dot).",
            valueName: "OUT"))
    var graph: String?

    @Flag(help: "Replace an existing --graph file.")
    var force = false

    @OptionGroup(title: "Limits for reading untrusted files") var limits: Isolation.Options

    func run() throws {
        try Isolation.run(
            file: file, outputs: graph.map { [$0] } ?? [], limits: limits.limits(reading: [file, config])
        ) {
            try inspect()
        }
    }

    private func inspect() throws {
        let outline: StorageOutline
        do {
            outline = try StorageOutline.read(path: file)
        } catch let error as KerasFormatError {
            throw Failure.report(error)
        }
        var summary: ModelSummary?
        var problem: String?
        var loaded: KerasModel?
        do {
            loaded = try KerasModel.load(path: file, configPath: config)
            summary = loaded?.summary
        } catch let error as KerasFormatError {
            problem = error.code == .configRequired ? nil : error.description
            // Name every layer RNNKit cannot build, not only the first the loader met.
            let unsupported = Validation.unsupportedLayers(path: file, configPath: config)
            if !unsupported.isEmpty {
                problem =
                    "layers RNNKit does not implement: "
                    + unsupported.map { "'\($0.layer ?? "?")' (\($0.message))" }.joined(separator: "; ")
            }
        }
        print(
            json
                ? try Self.json(outline, summary: summary, problem: problem)
                : Self.text(outline, summary: summary, problem: problem))
        // The storage is shown either way, but a model that cannot be built is a failure for scripts.
        if summary == nil, problem != nil { throw ExitCode(Failure.dataError) }
        if let graph {
            guard let loaded else {
                throw Failure.report(
                    KerasFormatError(
                        .unreadable, file: file,
                        reason: "no model to draw: it is a weights-only file; give the model's JSON with --config"))
            }
            do {
                try loaded.writeGraph(to: graph, overwrite: force)
            } catch let error as KerasFormatError {
                throw Failure.report(error)
            }
        }
    }

    static func text(_ outline: StorageOutline, summary: ModelSummary? = nil, problem: String? = nil) -> String {
        var lines = [outline.file, "  layout: \(outline.layout.summary)"]
        if let version = outline.kerasVersion {
            lines.append("  written by: Keras \(version)" + (outline.backend.map { " (\($0) backend)" } ?? ""))
        }
        if let summary {
            lines.append(
                "  model: \(summary.modelClass) '\(summary.name)', \(summary.parameters) parameters (\(summary.trainableParameters) trainable)"
            )
            lines.append(
                "    inputs: \(summary.inputs.joined(separator: ", "))   outputs: \(summary.outputs.joined(separator: ", "))"
            )
            let nameWidth = summary.layers.map(\.name.count).max() ?? 0
            let classWidth = summary.layers.map(\.className.count).max() ?? 0
            for layer in summary.layers {
                var line = "    " + layer.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                line += layer.className.padding(toLength: classWidth, withPad: " ", startingAt: 0)
                if !layer.inputs.isEmpty { line += "  <- " + layer.inputs.joined(separator: ", ") }
                let options = layer.options.keys.sorted().map { "\($0)=\(layer.options[$0]!)" }
                if !options.isEmpty { line += "  " + options.joined(separator: " ") }
                if layer.parameters > 0 { line += "  (\(layer.parameters) parameters)" }
                lines.append(line)
                if !layer.weights.isEmpty {
                    lines.append(
                        "        "
                            + layer.weights.map { "\($0.name) [\($0.shape.map(String.init).joined(separator: ", "))]" }
                            .joined(separator: ", "))
                }
            }
        } else if let problem {
            lines.append("  model: cannot be built: \(problem)")
        } else {
            lines.append("  model: weights only; pass the model's JSON with --config to see the layers")
        }
        if !outline.archiveMembers.isEmpty {
            lines.append("  archive members: " + outline.archiveMembers.joined(separator: ", "))
        }
        lines.append("  weights: \(outline.datasets.count) datasets, \(outline.valueCount) values")
        let width = outline.datasets.map(\.path.count).max() ?? 0
        for dataset in outline.datasets {
            let shape = "[" + dataset.shape.map(String.init).joined(separator: ", ") + "]"
            lines.append(
                "    " + dataset.path.padding(toLength: width, withPad: " ", startingAt: 0)
                    + "  \(dataset.dtype)  \(shape)")
        }
        return lines.map { TerminalText.escaped($0, limit: 4000) }.joined(separator: "\n")
    }

    struct Report: Encodable {
        var file: String
        var layout: String
        var kerasVersion: String?
        var backend: String?
        var archiveMembers: [String]
        var datasets: [StorageOutline.Dataset]
        var model: ModelSummary?
        var modelProblem: String?
    }

    static func json(_ outline: StorageOutline, summary: ModelSummary? = nil, problem: String? = nil) throws -> String {
        let report = Report(
            file: outline.file, layout: outline.layout.rawValue, kerasVersion: outline.kerasVersion,
            backend: outline.backend, archiveMembers: outline.archiveMembers, datasets: outline.datasets,
            model: summary,
            modelProblem: problem)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
