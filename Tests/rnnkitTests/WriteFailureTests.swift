import Foundation
import Testing

/// Writes into a full or read-only file system (issue 11, class 7): one sentence naming the destination
/// (never the temporary file, never a raw Foundation or libhdf5 message), exit 73, the old file
/// untouched and no temporary file left behind.
///
/// Each case mounts a small tmpfs in a private mount namespace (`unshare -rm`, which needs no privileges
/// where user namespaces are enabled), so the test fills or freezes a real file system without touching
/// the machine's own.
@Suite("Failed writes")
struct WriteFailureTests {
    /// Whether this machine lets the test mount a tmpfs of its own.
    static let namespacesWork: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-rm", "sh", "-c", "mount -t tmpfs -o size=16k none /mnt"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    enum FileSystem: String, CaseIterable { case full, readOnly }

    static let writes: [(destination: String, arguments: [String])] = [
        ("out.keras", ["convert", "Examples/waveforms.h5"]),
        ("out.h5", ["convert", "Examples/waveforms.keras"]),
        ("out.weights.h5", ["convert", "Examples/waveforms.keras"]),
        ("out.npy", ["run", "Examples/waveforms.keras", "--input", "Examples/waveforms_input.npy", "--output"]),
        ("out.npz", ["run", "Examples/waveforms.keras", "--input", "Examples/waveforms_input.npy", "--output"]),
    ]

    struct Outcome {
        var status: Int32
        var stderr: String
        var old: String
        var listing: [String]
    }

    /// Runs one write with `--force` onto an existing destination in a tmpfs made full or read-only.
    static func attempt(_ write: (destination: String, arguments: [String]), on fileSystem: FileSystem) throws
        -> Outcome
    {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-full-\(UUID())")
        let mount = scratch.appendingPathComponent("mnt")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let destination = mount.appendingPathComponent(write.destination).path
        let command = ([CLITests.binary.path] + write.arguments + [destination, "--force"]).map(quoted)
            .joined(separator: " ")
        let freeze =
            fileSystem == .full
            ? "dd if=/dev/zero of=\"$M/filler\" bs=1k 2>/dev/null"
            : "mount -o remount,ro \"$M\""
        // The outcome is copied out of the private mount before the namespace goes away.
        let script = """
            set -u
            M=\(quoted(mount.path)); S=\(quoted(scratch.path))
            mount -t tmpfs -o size=256k none "$M" || exit 99
            echo old > \(quoted(destination))
            \(freeze)
            \(command) >/dev/null 2>"$S/stderr"
            echo $? > "$S/status"
            cat \(quoted(destination)) > "$S/old"
            ls -a "$M" > "$S/listing"
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-rm", "sh", "-c", script]
        process.currentDirectoryURL = CLITests.root
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the namespace script failed")
        func read(_ name: String) -> String {
            (try? String(contentsOf: scratch.appendingPathComponent(name), encoding: .utf8)) ?? ""
        }
        return Outcome(
            status: Int32(read("status").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1,
            stderr: read("stderr"), old: read("old"),
            listing: read("listing").split(separator: "\n").map(String.init).filter { $0 != "." && $0 != ".." })
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @Test(
        "a write into a full or read-only file system is one sentence, exit 73, the old file kept, no temporary file",
        .enabled(if: namespacesWork, "needs unshare -rm to mount a tmpfs"),
        arguments: FileSystem.allCases, writes.indices)
    func refused(_ fileSystem: FileSystem, _ index: Int) throws {
        let write = Self.writes[index]
        let outcome = try Self.attempt(write, on: fileSystem)
        #expect(outcome.status == 73, "\(outcome.stderr)")
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("mnt/\(write.destination): "), "\(outcome.stderr)")
        let reason = fileSystem == .full ? "the disk is full; nothing was written" : "Read-only file system"
        #expect(outcome.stderr.contains(reason), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains(".tmp") && !outcome.stderr.contains("HDF5"), "\(outcome.stderr)")
        #expect(outcome.old == "old\n", "the existing destination was changed")
        let expected = fileSystem == .full ? [write.destination, "filler"] : [write.destination]
        #expect(outcome.listing.sorted() == expected.sorted(), "left behind: \(outcome.listing)")
    }
}
