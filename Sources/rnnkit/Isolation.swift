import ArgumentParser
import Foundation
import KerasFormat

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a command's file work in a child process under resource limits, so that a file that crashes or
/// hangs libhdf5 (or exhausts memory) ends as one sentence and exit 65 instead of a crash of `rnnkit`.
///
/// The child is a `fork` of this process taken after argument parsing and before any other thread or any
/// libhdf5 call exists: it runs the command's body with
/// - an address-space limit (`RLIMIT_AS`, `--memory-limit`, default 1 GiB plus 4 times the files' sizes),
/// - a CPU-time limit for reading (`RLIMIT_CPU`, `--time-limit`, default 5 s plus 1 s per 10 MB of the
///   files) that the body lifts with `Isolation.readingFinished()` once the files are read, when only the
///   forward pass is left,
/// - the body on a thread created after the fork (see `onFreshThread`),
/// - the crash handlers of the Swift runtime switched off (a crash is reported by the parent, not as a
///   backtrace),
/// - its stderr captured by the parent, which passes it on when the child exits normally and replaces it
///   with one sentence when the child was killed by a signal or a limit. stdout is the parent's own.
///
/// The parent forwards SIGINT, SIGTERM and SIGHUP to the child and, whatever ended the child, removes the
/// temporary files it left in the output directories (`AtomicFile`'s names carry the writer's pid). When
/// the parent itself is killed, the child notices (its end of a pipe closes), removes its temporary files
/// and exits. `RNNKIT_ISOLATION=off` runs the body in-process (the fuzzer uses it to see raw crashes).
enum Isolation {
    /// Limits for one command.
    struct Limits {
        var memoryBytes: Int
        var readingSeconds: Int
    }

    /// The options every file-reading command shares.
    struct Options: ParsableArguments {
        @Option(help: "Memory limit for the file work in MiB (default: 1024 plus 4 times the files' sizes).")
        var memoryLimit: Int?

        @Option(help: "CPU seconds allowed for reading the files (default: 5 plus 1 per 10 MB of the files).")
        var timeLimit: Int?

        func validate() throws {
            guard memoryLimit.map({ $0 > 0 }) ?? true, timeLimit.map({ $0 > 0 }) ?? true else {
                throw ValidationError("--memory-limit and --time-limit must be positive.")
            }
        }

        /// The limits for a command that reads `files`. The default CPU limit allows 100 ms per MB, six times
        /// the slowest reading measured (an 80 MB `.keras` inspected in 1.3 CPU s), and 5 s for any file:
        /// a model file read legitimately takes milliseconds, one that spins libhdf5 never ends.
        func limits(reading files: [String?]) -> Limits {
            let sizes = files.compactMap { $0 }.reduce(0) { total, path in
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                return total.addingReportingOverflow(size).partialValue
            }
            let seconds = timeLimit ?? 5 + min(sizes / 10_000_000, 1 << 30)
            if let memoryLimit { return Limits(memoryBytes: memoryLimit << 20, readingSeconds: seconds) }
            let extra = sizes.multipliedReportingOverflow(by: 4)
            let bytes = (1 << 30 as Int).addingReportingOverflow(extra.partialValue)
            let total = extra.overflow || bytes.overflow ? Int.max : bytes.partialValue
            return Limits(memoryBytes: total, readingSeconds: seconds)
        }
    }

    /// The command's stderr before the child redirected it (for progress lines on a terminal).
    nonisolated(unsafe) static var terminal: Int32 = 2
    nonisolated(unsafe) private static var child: pid_t = 0

    /// Runs `body` in a child process under `limits`; `file` is the file blamed when the child dies, and
    /// `outputs` the files the body may write (their directories are cleaned of the child's temporary files).
    /// Returns only when `body` succeeded; otherwise exits with the child's status.
    static func run(file: String, outputs: [String] = [], limits: Limits, _ body: () throws -> Void) throws {
        if ProcessInfo.processInfo.environment["RNNKIT_ISOLATION"] == "off" { return try body() }
        fflush(nil)
        var errorPipe: [Int32] = [0, 0]
        var lifeline: [Int32] = [0, 0]
        var done: [Int32] = [0, 0]
        guard pipe(&errorPipe) == 0, pipe(&lifeline) == 0, pipe(&done) == 0 else { return try body() }
        let saved = dup(2)
        let pid = fork()
        if pid < 0 { return try body() }
        if pid == 0 {
            close(errorPipe[0])
            close(lifeline[1])
            close(done[0])
            terminal = saved
            dup2(errorPipe[1], 2)
            close(errorPipe[1])
            becomeChild(limits: limits)
            let lifelineEnd = lifeline[0]
            let doneEnd = done[1]
            withoutActuallyEscaping(body) { body in
                onFreshThread {
                    watchLifeline(lifelineEnd)
                    do {
                        try body()
                        // Success: close stdout and stderr and say so, so that the parent (and whoever reads
                        // rnnkit's output) need not wait for this process's teardown; everything the body wrote
                        // is closed and renamed into place (AtomicFile), so exit handlers have nothing to do.
                        fflush(nil)
                        close(1)
                        close(2)
                        var success: UInt8 = 0
                        _ = write(doneEnd, &success, 1)
                        _exit(0)
                    } catch {
                        RNNKitCommand.exit(withError: error)
                    }
                }
            }
        }
        close(saved)
        close(errorPipe[1])
        close(done[1])
        child = pid
        for number in [SIGINT, SIGTERM, SIGHUP] {
            _ = signal(number) { received in if Isolation.child > 0 { kill(Isolation.child, received) } }
        }
        unblock([SIGINT, SIGTERM, SIGHUP])
        let stderrBytes = drain(errorPipe[0])
        var reported: UInt8 = 1
        var count = 0
        repeat { count = read(done[0], &reported, 1) } while count < 0 && errno == EINTR
        close(done[0])
        var status: Int32 = 0
        var usage = rusage()
        if count == 1 && reported == 0 {
            // The child succeeded and is only tearing down: its exit status is 0.
        } else {
            while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        }
        close(lifeline[1])
        for output in outputs { AtomicFile.removeStaleTemporaryFiles(besides: output) }
        if exited(status) {
            FileHandle.standardError.write(Data(cleaned(stderrBytes, file: file, limits: limits).utf8))
            let code = exitStatus(status)
            if code == 0 { Foundation.exit(0) }
            throw ExitCode(code)
        }
        let number = status & 0x7F
        let sentence = describeDeath(
            file: file, signal: number, stderr: stderrBytes, peakKiB: Int(usage.ru_maxrss), limits: limits)
        FileHandle.standardError.write(Data((sentence + "\n").utf8))
        if [SIGINT, SIGTERM, SIGHUP].contains(number) { throw ExitCode(128 + number) }
        throw ExitCode(Failure.dataError)
    }

    /// Removes `signals` from this thread's signal mask (it is inherited from whoever started rnnkit).
    private static func unblock(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Lifts the reading CPU limit: the files are read, what is left is computation the user asked for.
    static func readingFinished() {
        var limit = rlimit()
        guard getrlimit(resourceCPU, &limit) == 0 else { return }
        limit.rlim_cur = limit.rlim_max
        setrlimit(resourceCPU, &limit)
    }

    /// What a child that exited by itself wrote, without the dumps libhdf5 prints when it cannot even
    /// start (its error printing is off only once it has initialised): under a small --memory-limit its
    /// initialisation fails ("memory allocation failed") and the child's own sentence blames a property
    /// list, so a dump that says so becomes the memory-limit sentence.
    static func cleaned(_ stderr: [UInt8], file: String, limits: Limits) -> String {
        let text = String(decoding: stderr, as: UTF8.self)
        guard text.contains("HDF5-DIAG") || text.contains("HDF5: infinite loop") else { return text }
        if text.contains("memory allocation failed") || text.contains("No space available for allocation") {
            return
                "\(TerminalText.escaped(file)): reading the file needed more than the \(limits.memoryBytes >> 20) MiB memory limit and was stopped (the file is damaged or hostile; raise --memory-limit if it is a very large model)\n"
        }
        var kept: [Substring] = []
        var inDump = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("HDF5-DIAG") || line.hasPrefix("HDF5: ") {
                inDump = true
            } else if inDump && line.first.map({ $0 == " " || $0 == "\t" }) == true {
                continue
            } else {
                inDump = false
                kept.append(line)
            }
            if inDump { continue }
        }
        return kept.joined(separator: "\n")
    }

    /// The one sentence for a child that did not exit by itself.
    static func describeDeath(
        file: String, signal: Int32, stderr: [UInt8], peakKiB: Int, limits: Limits
    ) -> String {
        let name = TerminalText.escaped(file)
        switch signal {
        case SIGXCPU:
            return
                "\(name): reading the file took over \(limits.readingSeconds) CPU seconds and was stopped (the file is damaged or hostile; raise --time-limit if it is a very large model)"
        case SIGINT, SIGTERM, SIGHUP:
            return "\(name): interrupted (signal \(signal)); nothing was left half-written"
        default:
            let text = String(decoding: stderr, as: UTF8.self)
            let outOfMemory = text.contains("allocate memory") || text.contains("\(addressSpaceExhausted)")
            if outOfMemory || peakKiB.multipliedReportingOverflow(by: 1024).partialValue >= limits.memoryBytes / 2 {
                return
                    "\(name): reading the file needed more than the \(limits.memoryBytes >> 20) MiB memory limit and was stopped (the file is damaged or hostile; raise --memory-limit if it is a very large model)"
            }
            let what = signal == SIGSEGV || signal == SIGBUS ? "libhdf5 crashed" : "the reader crashed"
            // An allocation refused by the memory limit ends in an abort too: say so.
            let hint =
                signal == SIGABRT || signal == SIGTRAP
                ? " (or it needed more than the \(limits.memoryBytes >> 20) MiB memory limit: raise --memory-limit if it is a very large model)"
                : ""
            return "\(name): the file is damaged: \(what) (signal \(signal)) while reading it\(hint)"
        }
    }

    /// Runs `work` on a new thread (8 MiB of stack, as the main thread's) and never returns (`work` ends the
    /// process).
    ///
    /// The Swift runtime's locks on Linux (`ulock`) are priority-inheritance futexes that record their
    /// owner's thread id, which each thread caches on first use; a forked child's main thread keeps its
    /// parent's cached id. While only that thread runs this is harmless, but as soon as a second thread
    /// contends for a runtime lock the main thread holds (a metadata cache's, say), the kernel refuses the
    /// futex calls of both and they spin forever: about one run in 300 hung that way. So the child's work
    /// runs on a thread created after the fork, with an id of its own, and the main thread only waits.
    private static func onFreshThread(_ work: @escaping () -> Void) -> Never {
        final class Work {
            let body: () -> Void
            init(_ body: @escaping () -> Void) { self.body = body }
        }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 8 << 20)
        let context = Unmanaged.passRetained(Work(work)).toOpaque()
        var thread = pthread_t()
        #if canImport(Glibc)
            let started = pthread_create(
                &thread, &attributes,
                { context in
                    Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().body()
                    return nil
                }, context)
        #else
            let started = pthread_create(
                &thread, &attributes,
                { context in
                    Unmanaged<Work>.fromOpaque(context).takeRetainedValue().body()
                    return nil
                }, context)
        #endif
        if started != 0 {
            // No room for a thread (a tiny --memory-limit): run here; the limit will end the body anyway.
            Unmanaged<Work>.fromOpaque(context).takeRetainedValue().body()
            _exit(70)
        }
        #if canImport(Glibc)
            pthread_join(thread, nil)
        #else
            pthread_join(thread!, nil)
        #endif
        _exit(70)
    }

    /// When the parent dies (even by SIGKILL) the lifeline's write end closes: clean up and leave.
    private static func watchLifeline(_ lifeline: Int32) {
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while read(lifeline, &byte, 1) < 0 && errno == EINTR {}
            // A writer that registered its temporary file may create it just after the first removal (it was
            // seen under load): remove again once it has had the time to, then end.
            AtomicFile.removeOwnTemporaryFiles()
            usleep(50_000)
            AtomicFile.removeOwnTemporaryFiles()
            _exit(137)
        }
    }

    /// What the child's crash handler writes when it dies with its address space nearly used up.
    static let addressSpaceExhausted: StaticString = "rnnkit: address space nearly exhausted at a crash"

    /// The address-space limit in force in the child (bytes), for its crash handler.
    nonisolated(unsafe) private static var addressSpaceLimit = 0
    /// 64 bytes for the crash handler to read /proc/self/statm into, allocated before any crash: the
    /// handler must not call malloc (the fault may have happened inside it, with its lock held).
    nonisolated(unsafe) private static var statmBuffer: UnsafeMutablePointer<UInt8>?

    /// A crash handler for the child: when the address space is within 1/8 of the limit or 32 MiB more
    /// cannot be mapped, libhdf5 (whose error stack dereferences a failed allocation) or another library
    /// probably crashed for want of memory, and the parent should say so rather than blame the file; it
    /// writes `addressSpaceExhausted` to stderr, restores the default action and returns, so the fault
    /// recurs and ends the process. Only async-signal-safe calls (mmap, munmap, open, read, write, close,
    /// signal) and nothing that allocates: the fault may have happened inside malloc, or for want of memory.
    private static let crashHandler: @convention(c) (Int32) -> Void = { number in
        defer { signal(number, SIG_DFL) }
        guard addressSpaceLimit > 0 else { return }
        // Whether 32 MiB more of address space can still be had: an allocation of up to that much that
        // failed leaves less. Then nothing may allocate (not even type metadata): the message is static.
        let probe = mmap(nil, 32 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard probe != MAP_FAILED else {
            _ = write(2, addressSpaceExhausted.utf8Start, addressSpaceExhausted.utf8CodeUnitCount)
            return
        }
        munmap(probe, 32 << 20)
        // With room left, how much is in use (the first number of /proc/self/statm, in pages).
        guard let bytes = statmBuffer else { return }
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return }
        let count = read(descriptor, bytes, 63)
        close(descriptor)
        var pages = 0
        for index in 0..<max(count, 0) {
            guard bytes[index] >= 48 && bytes[index] <= 57 else { break }
            pages = pages &* 10 &+ Int(bytes[index] &- 48)
        }
        if pages &* Int(sysconf(Int32(_SC_PAGESIZE))) >= addressSpaceLimit - addressSpaceLimit / 8 {
            _ = write(2, addressSpaceExhausted.utf8Start, addressSpaceExhausted.utf8CodeUnitCount)
        }
    }

    private static func becomeChild(limits: Limits) {
        // The Swift runtime's crash handlers would print a backtrace; the parent reports the crash instead.
        // SIGXCPU is how the CPU limit stops a spinning reader: it must not be ignored or blocked, and a
        // process started from a thread that blocks signals (libdispatch's workers do) inherits the block.
        let handled = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT, SIGINT, SIGTERM, SIGHUP, SIGXCPU]
        for number in handled { _ = signal(number, SIG_DFL) }
        unblock(handled)
        if limits.memoryBytes < Int.max {
            addressSpaceLimit = limits.memoryBytes
            statmBuffer = .allocate(capacity: 64)
            for number in [SIGSEGV, SIGBUS] { _ = signal(number, crashHandler) }
        }
        var memory = rlimit(rlim_cur: rlim_t(limits.memoryBytes), rlim_max: rlim_t(limits.memoryBytes))
        if limits.memoryBytes < Int.max { setrlimit(resourceAS, &memory) }
        #if canImport(Glibc)
            // One malloc arena: each thread's own arena reserves 64 MiB of address space up front, which
            // the address-space limit would count as if it were used.
            // (mallopt is in malloc.h, which Swift's Glibc module leaves out; M_ARENA_MAX is -8.)
            if let mallopt = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
                typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
                _ = unsafeBitCast(mallopt, to: Mallopt.self)(-8, 1)
            }
        #endif
        var cpu = rlimit(rlim_cur: rlim_t(limits.readingSeconds), rlim_max: rlim_t.max)
        setrlimit(resourceCPU, &cpu)
    }

    /// Everything the child writes to stderr (kept up to 1 MiB).
    private static func drain(_ fd: Int32) -> [UInt8] {
        var kept: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            if kept.count < 1 << 20 { kept += buffer[0..<count] }
        }
        close(fd)
        return kept
    }

    private static func exited(_ status: Int32) -> Bool { status & 0x7F == 0 }
    private static func exitStatus(_ status: Int32) -> Int32 { (status >> 8) & 0xFF }

    #if canImport(Glibc)
        private static let resourceAS = __rlimit_resource_t(RLIMIT_AS.rawValue)
        private static let resourceCPU = __rlimit_resource_t(RLIMIT_CPU.rawValue)
    #else
        private static let resourceAS = RLIMIT_AS
        private static let resourceCPU = RLIMIT_CPU
    #endif
}
