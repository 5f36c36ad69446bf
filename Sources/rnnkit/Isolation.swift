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
/// - a CPU-time limit for reading (`RLIMIT_CPU`, `--time-limit`, default 60 s) that the body lifts with
///   `Isolation.readingFinished()` once the files are read, when only the forward pass is left,
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

        @Option(help: "CPU seconds allowed for reading the files (default: 60).")
        var timeLimit: Int = 60

        func validate() throws {
            guard memoryLimit.map({ $0 > 0 }) ?? true, timeLimit > 0 else {
                throw ValidationError("--memory-limit and --time-limit must be positive.")
            }
        }

        /// The limits for a command that reads `files`.
        func limits(reading files: [String?]) -> Limits {
            if let memoryLimit { return Limits(memoryBytes: memoryLimit << 20, readingSeconds: timeLimit) }
            let sizes = files.compactMap { $0 }.reduce(0) { total, path in
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                return total.addingReportingOverflow(size).partialValue
            }
            let extra = sizes.multipliedReportingOverflow(by: 4)
            let bytes = (1 << 30 as Int).addingReportingOverflow(extra.partialValue)
            let total = extra.overflow || bytes.overflow ? Int.max : bytes.partialValue
            return Limits(memoryBytes: total, readingSeconds: timeLimit)
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
            becomeChild(limits: limits, lifeline: lifeline[0])
            do {
                try body()
                // Success: close stdout and stderr and say so, so that the parent (and whoever reads
                // rnnkit's output) need not wait for this process's teardown; everything the body wrote
                // is closed and renamed into place (AtomicFile), so exit handlers have nothing to do.
                fflush(nil)
                close(1)
                close(2)
                var success: UInt8 = 0
                _ = write(done[1], &success, 1)
                _exit(0)
            } catch {
                RNNKitCommand.exit(withError: error)
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
            FileHandle.standardError.write(Data(stderrBytes))
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
            let outOfMemory = String(decoding: stderr, as: UTF8.self).contains("allocate memory")
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

    private static func becomeChild(limits: Limits, lifeline: Int32) {
        // The Swift runtime's crash handlers would print a backtrace; the parent reports the crash instead.
        // SIGXCPU is how the CPU limit stops a spinning reader: it must not be ignored or blocked, and a
        // process started from a thread that blocks signals (libdispatch's workers do) inherits the block.
        let handled = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT, SIGINT, SIGTERM, SIGHUP, SIGXCPU]
        for number in handled { _ = signal(number, SIG_DFL) }
        unblock(handled)
        var memory = rlimit(rlim_cur: rlim_t(limits.memoryBytes), rlim_max: rlim_t(limits.memoryBytes))
        if limits.memoryBytes < Int.max { setrlimit(resourceAS, &memory) }
        var cpu = rlimit(rlim_cur: rlim_t(limits.readingSeconds), rlim_max: rlim_t.max)
        setrlimit(resourceCPU, &cpu)
        // When the parent dies (even by SIGKILL) the lifeline's write end closes: clean up and leave.
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while read(lifeline, &byte, 1) < 0 && errno == EINTR {}
            AtomicFile.removeOwnTemporaryFiles()
            _exit(137)
        }
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
