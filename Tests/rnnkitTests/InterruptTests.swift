import Foundation
import Testing

/// `rnnkit convert` stopped by a signal at any moment, before, during or after its write: the
/// destination is either absent or complete, and no temporary file stays behind (issue 11).
@Suite("Interrupted writes")
struct InterruptTests {
    static func temporaryFiles(in directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".tmp") }
    }

    @Test(
        "convert killed by SIGINT, SIGTERM or SIGKILL leaves a complete file or none, and no temporary file",
        arguments: [SIGINT, SIGTERM, SIGKILL])
    func interrupted(signal: Int32) throws {
        // Delays spread over one whole uninterrupted run, so that some signals land mid-write.
        let started = Date()
        let reference = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-kill-\(UUID()).h5")
        defer { try? FileManager.default.removeItem(at: reference) }
        #expect(try CLITests.run(["convert", "Examples/waveforms.keras", reference.path]).status == 0)
        let duration = Int(Date().timeIntervalSince(started) * 1000)
        for delay in stride(from: 0, through: duration * 11 / 10, by: max(duration / 12, 1)) {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-kill-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let destination = directory.appendingPathComponent("out.h5")
            let process = Process()
            process.executableURL = CLITests.binary
            process.arguments = ["convert", "Examples/waveforms.keras", destination.path]
            process.currentDirectoryURL = CLITests.root
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(delay * 1000))
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            let status = process.terminationStatus
            #expect(
                status == 0 || status == 128 + signal || status == signal, "signal \(signal) at \(delay) ms: \(status)")
            // After SIGKILL the reader notices its parent is gone and removes its own temporary file.
            var waited = 0
            while !Self.temporaryFiles(in: directory).isEmpty && waited < 3000 {
                usleep(50_000)
                waited += 50
            }
            #expect(Self.temporaryFiles(in: directory).isEmpty, "signal \(signal) at \(delay) ms")
            if FileManager.default.fileExists(atPath: destination.path) {
                let check = try CLITests.run(["validate", destination.path])
                #expect(check.status == 0, "signal \(signal) at \(delay) ms left \(check.stdout) \(check.stderr)")
            }
        }
    }
}
