import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile files (tools/make_hostile_fixtures.py, one per class of issue 11): each refused with one sentence
/// and a documented exit code, in bounded memory; writes that are killed or raced leave old or new files.
@Suite("untrusted files")
struct UntrustedFileTests {
    static func hostile(_ name: String) -> String { "Tests/Fixtures/hostile/\(name)" }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; Swift's Glibc module does not
    /// declare it), nil where the C library lacks it.
    static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Runs rnnkit and returns its status, stderr and the peak resident memory of it and its reader (KiB).
    static func measured(_ arguments: [String]) throws -> (status: Int32, stderr: String, peakKiB: Int) {
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("rnnkit-err-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: errors) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errors.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else of this process (other tests' open files, and the file locks they carry) reaches it.
        if let closeFrom = closeFrom { _ = closeFrom(&actions, 3) }
        let argv = ([CLITests.binary.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = FileManager.default.changeCurrentDirectoryPath(CLITests.root.path)
        #expect(spawned)
        guard posix_spawn(&pid, CLITests.binary.path, &actions, nil, argv, environ) == 0 else {
            throw CocoaError(.executableLoad)
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let code = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        return (code, stderr, Int(usage.ru_maxrss))
    }

    static let refusals: [(file: String, command: String, status: Int32, words: String)] = [
        ("zip_bomb.keras", "inspect", 65, "declares 1073761204 bytes, more than it can hold"),
        ("zip_bomb.keras", "run", 65, "more than it can hold"),
        ("zip64_forged.keras", "inspect", 65, "more than it can hold"),
        ("crc_flipped.keras", "inspect", 65, "model.weights.h5 is damaged: its CRC-32"),
        ("crc_flipped.keras", "validate", 1, "model.weights.h5 is damaged: its CRC-32"),
        ("huge_declared.h5", "run", 65, "declares shape [30000, 30000], more values than the whole model has weights"),
        ("huge_declared.h5", "validate", 1, "[30000, 30000]"),
        ("units_intmax.keras", "inspect", 65, "units 9223372036854775807 with 1 input features make kernels too large"),
        ("units_2e9.keras", "validate", 1, "units 2000000000"),
        ("tensor_index.keras", "validate", 1, "error: "),
        ("tensor_index.keras", "run", 65, "tensor_index.keras"),
        ("kernel_width.h5", "validate", 1, "the model cannot run on an input of its declared shape"),
        ("kernel_width.h5", "run", 65, "the model cannot run on the arrays of"),
        // Mutants tools/fuzz.py found crashing rnnkit (Keras 1 per-gate arrays of mixed shapes; a layer
        // called on no input), kept as they were found.
        ("fuzz_keras1_per_gate.h5", "validate", 1, "holds 12 weights, the layer expects 3"),
        ("fuzz_node_without_input.keras", "run", 65, "layer 'pool': the model cannot run on the arrays of"),
    ]

    @Test("each hostile model file is refused with one sentence, under 256 MB", arguments: refusals.indices)
    func refused(_ index: Int) throws {
        let (file, command, status, words) = Self.refusals[index]
        var arguments = [command, Self.hostile(file)]
        if command == "run" {
            let inputs = [
                "tensor_index.keras": Self.hostile("tensor_index_input.npz"),
                "fuzz_node_without_input.keras": Self.hostile("fuzz_node_without_input_input.npy"),
            ]
            let input = inputs[file] ?? "Examples/waveforms_input.npy"
            arguments += ["--input", input]
        }
        let result = try Self.measured(arguments)
        #expect(result.status == status, "\(file) \(command): \(result.stderr)")
        #expect(!result.stderr.contains("crashed"), "\(file) \(command): \(result.stderr)")
        if command == "inspect" && result.stderr.isEmpty {
            // The storage is shown; the model part says why it cannot be built.
            let printed = try CLITests.run(arguments)
            #expect(printed.stdout.contains("model: cannot be built: "), "\(file): \(printed.stdout)")
            #expect(printed.stdout.contains(words), "\(file): \(printed.stdout)")
        } else if command != "validate" {
            #expect(result.stderr.contains(words), "\(file) \(command): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(file) \(command): \(result.stderr)")
        } else {
            let printed = try CLITests.run(arguments)
            #expect(printed.stdout.contains(words), "\(file) validate: \(printed.stdout)")
        }
        #expect(result.peakKiB < 256 * 1024, "\(file) \(command): peak \(result.peakKiB) KiB")
    }

    @Test(".npy headers that declare more than can be counted, or carry escapes, are one clean sentence")
    func numpyHeaders() throws {
        for name in ["npy_2e62.npy", "npy_3e9.npy", "npy_wide.npy", "escape_header.npy"] {
            let result = try Self.measured(["run", "Examples/waveforms.keras", "--input", Self.hostile(name)])
            #expect(result.status == 65, "\(name): \(result.stderr)")
            #expect(result.stderr.hasPrefix(Self.hostile(name)), "\(name) is blamed: \(result.stderr)")
            #expect(!result.stderr.contains("\u{1b}"), "\(name): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(name): \(result.stderr)")
            #expect(result.peakKiB < 256 * 1024)
        }
    }

    @Test("names from a file cannot inject terminal escapes or extra lines")
    func escapedNames() throws {
        let inspect = try CLITests.run(["inspect", Self.hostile("escape_name.keras")])
        #expect(inspect.status == 0)
        #expect(!inspect.stdout.contains("\u{1b}"))
        #expect(inspect.stdout.contains("waveform\\u{a}\\u{1b}[31mred"))
    }

    /// Mutants tools/fuzz.py found that crash libhdf5 1.10.8 itself (SIGSEGV in H5HG_read on a damaged
    /// vlen-string attribute) or make it spin (the same read, looping): the isolated reader turns each into
    /// one sentence. Kept as they were found.
    @Test(
        "files that crash or hang libhdf5 itself are one sentence and exit 65",
        arguments: [
            ("fuzz_libhdf5_segv.h5", "inspect", "libhdf5 crashed (signal 11) while reading it"),
            ("fuzz_libhdf5_segv_attention.h5", "convert", "libhdf5 crashed (signal 11) while reading it"),
            // The default reading limit for a 13 KB file: 5 CPU seconds.
            ("fuzz_libhdf5_spin.h5", "validate", "reading the file took over 5 CPU seconds and was stopped"),
        ])
    func libhdf5Failures(file: String, command: String, words: String) throws {
        var arguments = [command, Self.hostile(file)]
        if command == "convert" {
            arguments.insert(
                FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID()).keras").path, at: 2)
        }
        let result = try Self.measured(arguments)
        #expect(result.status == 65, "\(file): \(result.stderr)")
        #expect(result.stderr.hasPrefix(Self.hostile(file) + ": "), "\(file): \(result.stderr)")
        #expect(result.stderr.contains(words), "\(file): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(file): \(result.stderr)")
    }

    @Test("a reader killed by a signal or a limit is one sentence and exit 65")
    func isolation() throws {
        // A memory limit too small for the reader: the child dies, the parent explains.
        let result = try Self.measured(["inspect", "Examples/waveforms.keras", "--memory-limit", "64"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("Examples/waveforms.keras: "))
        #expect(result.stderr.contains("64 MiB memory limit"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test("eight writers to one path without --force: exactly one wins, the rest exit 73; a dangling symlink is kept")
    func oneWinner() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rnnkit-race-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("out.keras").path
        let statuses = Locked([Int32]())
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let result = try? CLITests.run(["convert", "Examples/waveforms.h5", target])
            statuses.withLock { $0.append(result?.status ?? -1) }
        }
        let all = statuses.withLock { $0 }
        #expect(all.filter { $0 == 0 }.count == 1, "\(all)")
        #expect(all.filter { $0 == 73 }.count == 7, "\(all)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".tmp")
        }
        #expect(leftovers.isEmpty)
        let dangling = directory.appendingPathComponent("dangling.keras").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "/nonexistent/target")
        let refused = try CLITests.run(["convert", "Examples/waveforms.h5", dangling])
        #expect(refused.status == 73 && refused.stderr.contains("exists"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: dangling)) == "/nonexistent/target")
    }
}

/// A value behind a lock, for collecting results from concurrent work.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is only touched while `lock` is held.
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
