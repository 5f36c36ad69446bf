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

/// Collects results from several threads.
final class Results: @unchecked Sendable {
    // @unchecked: `values` is only touched while holding `lock`.
    private let lock = NSLock()
    private var values: [Bool] = []

    func record(_ value: Bool) { lock.withLock { values.append(value) } }
    var all: [Bool] { lock.withLock { values } }
}
