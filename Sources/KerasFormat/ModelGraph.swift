import Foundation
import RecurrentLayers

/// A picture of the model as Graphviz DOT text: one box per layer (name, Keras class, output shape,
/// parameter count, the options that matter), an arrow per tensor a layer takes, with initial states
/// (blue, dashed) and explicit masks (red, dotted) drawn apart from the data. Wrappers name what they
/// wrap: `Bidirectional(LSTM)`, `TimeDistributed(Dense)`. Inputs are ovals, outputs have a double border.
extension KerasModel {
    /// The model as Graphviz DOT text (`dot -Tsvg` draws it).
    public func dot() -> String {
        let model = self.model
        let summary = self.summary
        let shapes = (try? Keras3Config(self, file: path).tensorShapes(model)) ?? [:]
        var lines = [
            "digraph \(Self.quoted(model.name)) {", "  rankdir=TB;",
            "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f7f7f7\", fontname=\"Helvetica\", fontsize=10];",
            "  edge [fontname=\"Helvetica\", fontsize=9];",
        ]
        let outputs = Set(model.outputs.map { model.nodes[$0.node].layer })
        for (index, layer) in model.layers.enumerated() {
            let described = summary.layers[index]
            var text = [layer.name, Self.className(layer, summary: described)]
            let outputShapes = model.nodes.enumerated().filter { $0.element.layer == index }.prefix(1).flatMap { node in
                shapes.filter { $0.key.node == node.offset }.sorted { $0.key.output < $1.key.output }.map(\.value)
            }
            if !outputShapes.isEmpty {
                text.append("output: " + outputShapes.map(Self.shapeText).joined(separator: ", "))
            }
            // The input's shape, the wrapped layer and the operation are in the box already.
            let options = described.options.filter { !["shape", "layer", "operation"].contains($0.key) }.sorted {
                $0.key < $1.key
            }
            if !options.isEmpty {
                text += Self.wrapped(options.map { "\($0.key)=\($0.value)" }, width: 40)
            }
            if described.parameters > 0 { text.append("\(described.parameters) parameters") }
            var attributes = ["label=\(Self.quoted(text.joined(separator: "\n")))"]
            if case .input = layer { attributes += ["shape=oval", "fillcolor=\"#e8f0fe\""] }
            if case .operation = layer { attributes += ["shape=diamond", "fillcolor=\"#fff4e0\""] }
            if outputs.contains(index) { attributes.append("peripheries=2") }
            lines.append("  n\(index) [\(attributes.joined(separator: ", "))];")
        }
        var seen = Set<String>()
        func edge(_ from: Model.TensorReference, to layer: Int, _ style: [String]) {
            let source = model.nodes[from.node].layer
            var attributes = style
            if from.output > 0 { attributes.append("taillabel=\(Self.quoted("[\(from.output)]"))") }
            let line =
                "  n\(source) -> n\(layer)" + (attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]")
                + ";"
            if seen.insert(line).inserted { lines.append(line) }
        }
        for node in model.nodes {
            for input in node.inputs { edge(input, to: node.layer, []) }
            for state in node.initialState {
                edge(state, to: node.layer, ["style=dashed", "color=\"#1f5fbf\"", "label=\"initial state\""])
            }
            for mask in node.masks.compactMap({ $0 }) {
                edge(mask, to: node.layer, ["style=dotted", "color=\"#c62828\"", "label=\"mask\""])
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the picture: `.dot` (or `.gv`) as DOT text, `.svg` or `.png` drawn by Graphviz's `dot`.
    /// - Throws: `KerasFormatError.cannotWrite` for another extension, when `dot` is not installed (with
    ///   how to get it), when it fails, or when the file exists and `overwrite` is false.
    public func writeGraph(to path: String, overwrite: Bool = false) throws {
        let format = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard ["dot", "gv", "svg", "png"].contains(format) else {
            throw KerasFormatError(
                .cannotWrite, file: path, reason: "a graph is written as .dot, .svg or .png, not .\(format)")
        }
        let text = Data(dot().utf8)
        var graphviz: String?
        if format == "svg" || format == "png" {
            graphviz = Self.executable("dot")
            guard graphviz != nil else {
                throw KerasFormatError(
                    .cannotWrite, file: path,
                    reason:
                        "drawing .\(format) needs Graphviz's dot, which is not installed (Debian: apt install graphviz; macOS: brew install graphviz), or write .dot"
                )
            }
        }
        try AtomicFile.write(to: path, overwrite: overwrite) { temporary in
            guard let graphviz else {
                try text.write(to: URL(fileURLWithPath: temporary))
                return
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: graphviz)
            process.arguments = ["-T\(format)", "-o", temporary]
            let input = Pipe()
            let errors = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            try input.fileHandleForWriting.write(contentsOf: text)
            try input.fileHandleForWriting.close()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let first = message.split(separator: "\n").first.map(String.init) ?? "exit \(process.terminationStatus)"
                throw KerasFormatError(.cannotWrite, file: path, reason: "Graphviz's dot failed: \(first)")
            }
        }
    }

    /// The first executable `name` on PATH.
    static func executable(_ name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The class as a Keras user knows it, with what a wrapper wraps.
    static func className(_ layer: ModelLayer, summary: ModelSummary.Layer) -> String {
        switch layer {
        case .bidirectional(let wrapper):
            return "Bidirectional(\(recurrentClass(wrapper.forward)))"
        case .feedForward(let wrapper as TimeDistributed):
            return "TimeDistributed(\(String(describing: type(of: wrapper.layer))))"
        case .recurrent(let rnn) where summary.className == "RNN" || summary.className == "?":
            return summary.className == "?" ? recurrentClass(rnn) : "RNN(\(String(describing: type(of: rnn.cell))))"
        default:
            return summary.className
        }
    }

    static func recurrentClass(_ rnn: RNN) -> String {
        switch rnn.cell {
        case is SimpleRNNCell: "SimpleRNN"
        case is LSTMCell: "LSTM"
        case is GRUCell: "GRU"
        case is ConvLSTMCell: "ConvLSTM"
        default: "RNN(\(String(describing: type(of: rnn.cell))))"
        }
    }

    static func shapeText(_ shape: [Int?]) -> String {
        "(" + shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    }

    /// `items` joined by spaces into lines of about `width` characters.
    static func wrapped(_ items: [String], width: Int) -> [String] {
        var result: [String] = []
        var line = ""
        for item in items {
            if !line.isEmpty && line.count + 1 + item.count > width {
                result.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + item
        }
        if !line.isEmpty { result.append(line) }
        return result
    }

    /// A DOT string: quotes and backslashes escaped, line breaks as `\n`, other control characters dropped
    /// (names come from files).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: continue
            case "\u{202A}"..."\u{202E}", "\u{2066}"..."\u{2069}": continue  // bidirectional overrides
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
