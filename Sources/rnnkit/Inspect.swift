import ArgumentParser
import Foundation
import KerasFormat

/// `rnnkit inspect FILE [--json]`: what a Keras file holds.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a Keras file's layout, the Keras that wrote it, and its weight datasets.",
        discussion: "Example: rnnkit inspect Examples/waveforms.h5"
    )

    @Argument(help: "A .h5, .weights.h5 or .keras file (the layout is detected from the content).")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let outline: StorageOutline
        do {
            outline = try StorageOutline.read(path: file)
        } catch let error as KerasFormatError {
            throw Failure.report(error)
        }
        print(json ? try Self.json(outline) : Self.text(outline))
    }

    static func text(_ outline: StorageOutline) -> String {
        var lines = [outline.file, "  layout: \(outline.layout.summary)"]
        if let version = outline.kerasVersion {
            lines.append("  written by: Keras \(version)" + (outline.backend.map { " (\($0) backend)" } ?? ""))
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
        return lines.joined(separator: "\n")
    }

    struct Report: Encodable {
        var file: String
        var layout: String
        var kerasVersion: String?
        var backend: String?
        var archiveMembers: [String]
        var datasets: [StorageOutline.Dataset]
    }

    static func json(_ outline: StorageOutline) throws -> String {
        let report = Report(
            file: outline.file, layout: outline.layout.rawValue, kerasVersion: outline.kerasVersion,
            backend: outline.backend, archiveMembers: outline.archiveMembers, datasets: outline.datasets)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
