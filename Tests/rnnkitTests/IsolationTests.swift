import Testing

@testable import rnnkit

/// The parent's reading of what an isolated reader wrote before it exited.
@Suite("Isolation")
struct IsolationTests {
    static let limits = Isolation.Limits(memoryBytes: 64 << 20, readingSeconds: 5)

    /// Under a small --memory-limit, libhdf5's own initialisation can fail before its error printing is off:
    /// it dumps its stack, and the child's sentence blames a property list. The user sees the memory sentence.
    @Test("libhdf5's dump of a failed start under the memory limit becomes the memory sentence")
    func memoryDump() {
        let dump = """
            HDF5-DIAG: Error detected in HDF5 (1.10.8) thread 1:
              #000: ../../../src/H5CX.c line 3216 in H5CX_pop(): interface initialization failed
                major: Function entry/exit
                minor: Unable to initialize object
              #006: ../../../src/H5Pint.c line 1075 in H5P__create_prop(): memory allocation failed
                major: Resource unavailable
                minor: No space available for allocation
            m.keras/model.weights.h5: cannot open in-memory file: cannot make a core-driver property list
            HDF5: infinite loop closing library
                  FD,FD,FD,FD

            """
        let text = Isolation.cleaned(Array(dump.utf8), file: "m.keras", limits: Self.limits)
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.hasPrefix("m.keras: reading the file needed more than the 64 MiB memory limit"))
    }

    @Test("other libhdf5 dumps are dropped, the child's sentence kept; plain output passes unchanged")
    func otherDump() {
        let dump =
            "HDF5-DIAG: Error detected in HDF5 (1.10.8) thread 1:\n  #000: H5F.c in H5Fopen(): unable\n"
            + "m.h5: cannot open file: it is truncated or damaged\n"
        #expect(
            Isolation.cleaned(Array(dump.utf8), file: "m.h5", limits: Self.limits)
                == "m.h5: cannot open file: it is truncated or damaged\n")
        let plain = "m.h5: layer 'lstm': slot 'kernel' expected [3, 8], found [4, 8]\n"
        #expect(Isolation.cleaned(Array(plain.utf8), file: "m.h5", limits: Self.limits) == plain)
    }
}
