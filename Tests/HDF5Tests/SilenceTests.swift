import Dispatch
import Foundation
import HDF5
import Testing

/// libhdf5 prints its error stack to stderr unless told not to, per thread. RNNKit must keep it quiet on
/// every thread and hand the stack over in the error instead. libhdf5's printout always opens with
/// "HDF5-DIAG"; other suites running in parallel may write their own progress lines to stderr meanwhile,
/// so the check looks for libhdf5's signature rather than an empty stream.
@Suite("libhdf5 stays silent", .serialized)
struct SilenceTests {
    @Test("failing calls from many threads print nothing to stderr")
    func quiet() throws {
        let capture = try Fixtures.scratchDirectory().appendingPathComponent("stderr.txt")
        #expect(FileManager.default.createFile(atPath: capture.path, contents: nil))
        let handle = try FileHandle(forWritingTo: capture)
        let saved = dup(2)
        fflush(nil)
        dup2(handle.fileDescriptor, 2)
        let garbage = [UInt8]([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) + Array(repeating: 7, count: 600)
        let errors = Results()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let attempts: [() throws -> Void] = [
                { _ = try HDF5File(image: garbage, name: "garbage-\(index)") },
                {
                    _ = try HDF5File(opening: Fixtures.path("keras3/sequential.h5")).root.dataset(
                        "model_weights/missing")
                },
                { _ = try HDF5File(opening: Fixtures.path("keras3/sequential.h5")).root.readAttribute("missing") },
                {
                    _ = try HDF5File(opening: Fixtures.path("hdf5/h5py_forms.h5")).root.dataset("external_link").read(
                        as: Float.self)
                },
            ]
            for attempt in attempts { errors.record((try? attempt()) == nil) }
        }
        fflush(nil)
        dup2(saved, 2)
        close(saved)
        try handle.close()
        let printed = try String(contentsOf: capture, encoding: .utf8)
        #expect(errors.all.count == 32 && errors.all.allSatisfy { $0 })
        #expect(!printed.contains("HDF5-DIAG") && !printed.contains("#000:"), "libhdf5 printed: \(printed.prefix(500))")
    }
}
