import Dispatch
import Foundation
import HDF5
import Testing

/// The module is safe to call from many tasks and threads at once: every result equals the serial one.
@Suite("Concurrent access")
struct ConcurrencyTests {
    /// What one read of a fixture yields: the tree and a digest of every dataset.
    static func summary(_ relative: String) throws -> [String] {
        let file = try HDF5File(opening: Fixtures.path(relative))
        return try file.root.visit().map { entry in
            guard entry.kind == .dataset else { return entry.path }
            let values = try file.root.dataset(entry.path).read(as: Double.self).values
            return "\(entry.path) \(values.count) \(values.reduce(0, +))"
        }
    }

    /// Writes a small file in memory and reads it back.
    static func roundTrip(_ index: Int) throws -> [Float] {
        let file = try HDF5File.inMemory(name: "task-\(index)")
        let values = (0..<12).map { Float(index * 100 + $0) }
        try file.root.createDataset("layers/lstm/cell/vars/0", values: values, shape: [3, 4])
        try file.root.group("layers/lstm/cell/vars").setAttribute(
            "name", string: "lstm_cell_\(index)", form: .variableUTF8)
        let reopened = try HDF5File(image: try file.image(), name: "task-\(index)-image")
        #expect(try reopened.root.group("layers/lstm/cell/vars").readString("name") == "lstm_cell_\(index)")
        return try reopened.root.dataset("layers/lstm/cell/vars/0").read(as: Float.self).values
    }

    @Test("64 concurrent tasks read and write and agree with a serial run")
    func tasks() async throws {
        let expected = try Dictionary(uniqueKeysWithValues: Fixtures.kerasFiles.map { ($0, try Self.summary($0)) })
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    if index % 2 == 0 {
                        let relative = Fixtures.kerasFiles[index / 2 % Fixtures.kerasFiles.count]
                        return try Self.summary(relative) == expected[relative]
                    }
                    return try Self.roundTrip(index) == (0..<12).map { Float(index * 100 + $0) }
                }
            }
            for try await agreed in group { #expect(agreed) }
        }
    }

    @Test("16 OS threads at once, including failing calls, agree with a serial run")
    func threads() throws {
        let relative = "keras3/functional.h5"
        let expected = try Self.summary(relative)
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            let ok = (try? Self.summary(relative)) == expected
            let failed = (try? HDF5File(opening: Fixtures.path(relative)).root.group("missing/\(index)")) == nil
            results.record(ok && failed)
        }
        #expect(results.all == Array(repeating: true, count: 16))
    }
}

/// Files and the processes around them: libhdf5 locks each file it opens (flock), and a lock lives as long
/// as any descriptor of the file does, in any process.
@Suite("Files and other processes")
struct FileLockTests {
    /// A program this process starts while a file is open for writing does not inherit the file, so the
    /// file opens again once we close it (the CLI tests failed on "truncated or damaged" when an `rnnkit`
    /// child kept the lock of a file another test had just written).
    @Test("a child started while a file is open does not keep its lock")
    func childDoesNotInherit() throws {
        let path = try Fixtures.scratchDirectory().appendingPathComponent("child.h5").path
        try HDF5File(creating: path).root.createDataset("x", values: [Float(1), 2, 3], shape: [3])
        var child = pid_t()
        do {
            let file = try HDF5File(opening: path, mode: .readWrite)
            // The child says "ready" once it runs its own program: close-on-exec descriptors are closed
            // by then (the kernel closes them just after it lets the parent of a vfork go on).
            var ends: [Int32] = [0, 0]
            #expect(pipe(&ends) == 0)
            defer { close(ends[0]) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
            posix_spawn_file_actions_addclose(&actions, ends[0])
            let argv = (["/bin/sh", "-c", "echo ready; exec sleep 3"] as [String]).map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            withExtendedLifetime(file) {
                #expect(posix_spawn(&child, "/bin/sh", &actions, nil, argv, environ) == 0)
            }
            close(ends[1])
            var byte: UInt8 = 0
            #expect(read(ends[0], &byte, 1) == 1)
        }
        defer {
            kill(child, SIGKILL)
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
        let reopened = try HDF5File(opening: path, mode: .readWrite)
        #expect(try reopened.root.dataset("x").read(as: Float.self).values == [1, 2, 3])
    }

    /// Files RNNKit creates (always under a temporary name) hold no lock while they are written.
    @Test("a file being created holds no lock")
    func creationIsUnlocked() throws {
        let path = try Fixtures.scratchDirectory().appendingPathComponent("new.h5").path
        let file = try HDF5File(creating: path)
        try file.root.createDataset("x", values: [Float(1)], shape: [1])
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        withExtendedLifetime(file) { #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0) }
    }

    /// A file another process is writing is refused with words that say so, not as a damaged file.
    @Test("a file locked by another writer is refused as locked")
    func lockedFile() throws {
        let path = try Fixtures.scratchDirectory().appendingPathComponent("locked.h5").path
        try HDF5File(creating: path).root.createDataset("x", values: [Float(1)], shape: [1])
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let error = #expect(throws: HDF5Error.self) { try HDF5File(opening: path) }
        #expect(error?.code == .locked)
        #expect(error?.description.contains("another process has it open for writing") == true)
    }
}

/// Collects results from several threads.
final class Results: @unchecked Sendable {
    // @unchecked: `values` is only touched while holding `lock`.
    private let lock = NSLock()
    private var values: [Bool] = []

    func record(_ value: Bool) { lock.withLock { values.append(value) } }
    var all: [Bool] { lock.withLock { values } }
}
