import ArgumentParser

/// The `rnnkit` tool: Keras recurrent models outside Python.
@main
struct RNNKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rnnkit",
        abstract: "Inspect, validate, run, convert and benchmark Keras recurrent-model files outside Python.",
        discussion: """
            Exit codes: 0 success; 64 usage error; 65 the file is not a readable Keras file; \
            66 the file does not exist.
            """,
        subcommands: [Inspect.self, Validate.self, Run.self, Convert.self, Bench.self, Diff.self]
    )
}

#if canImport(Glibc)
    import Glibc
#endif

extension RNNKitCommand {
    static func main() {
        #if canImport(Glibc)
            // glibc maps every block of 128 KiB or more on its own and unmaps it when freed, until its
            // threshold adapts, which it did not in the isolated child: the forward pass's workspaces (a
            // megabyte of projected inputs per call) were mapped and faulted in again at every call, about
            // 560 page faults and a fifth of the time of a batch-32 LSTM pass. Blocks up to 32 MiB now come
            // from the heap, which is trimmed only past 256 MiB free.
            // mallopt is in malloc.h, which the Glibc module leaves out: looked up by name. Its options
            // M_TRIM_THRESHOLD = -1 and M_MMAP_THRESHOLD = -3 (malloc.h).
            if let symbol = dlsym(nil, "mallopt") {
                let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
                _ = mallopt(-3, 32 << 20)
                _ = mallopt(-1, 256 << 20)
            }
        #endif
        Self.main(nil)
    }
}
