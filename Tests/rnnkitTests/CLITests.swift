import Foundation
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

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = root
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
