import Foundation

#if canImport(Accelerate)
    import Accelerate
#else
    import CBLAS
#endif

/// How many threads RNNKit's layers use, and the policy that decides by problem size.
///
/// The recurrence of a batch splits into independent groups of samples; each group runs its whole
/// sequence with single-threaded BLAS, so threads never wait for each other between timesteps. The
/// number of groups depends on the problem only (at least 16 samples and `minimumWork` multiply-adds
/// per group, at most `maximumGroups`), never on the thread count, and `threads` only decides how many
/// groups run at once: the numbers are the same with one thread or many (tested).
///
/// The default is the processor count, or `RNNKIT_THREADS` from the environment.
public enum Parallelism {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var limit = defaultThreads
    nonisolated(unsafe) private static var singleThreadedBLAS = 0
    nonisolated(unsafe) private static var savedBLASThreads = 1

    /// Multiply-adds a group must have for a separate thread to pay (about 0.1 ms of work here).
    static let minimumWork = 4_000_000
    /// Samples a group must have: fewer make the products narrow.
    static let minimumRows = 16
    /// Groups a call splits into at most (so at most this many threads help one call).
    static let maximumGroups = 8

    private static var defaultThreads: Int {
        if let text = ProcessInfo.processInfo.environment["RNNKIT_THREADS"], let value = Int(text), value > 0 {
            return value
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The most threads a layer call may use (at least 1).
    public static var threads: Int {
        get { lock.withLock { limit } }
        set { lock.withLock { limit = max(1, newValue) } }
    }

    /// The number of sample groups for `batch` samples whose sequence costs `work` multiply-adds.
    static func groups(batch: Int, work: Int) -> Int {
        let groups = max(1, min(batch / minimumRows, work / minimumWork, maximumGroups))
        // A large batch goes in groups of at least `largeGroupRows` samples, whose recurrent products SGEMM
        // runs (`Recurrence.blasRows`): faster than more, smaller groups on the packed kernel (LSTM 256 x 200
        // x 256 -> 512: best passes 1.30 against 1.44 s here; GRU and SimpleRNN alike or better).
        return batch >= 2 * largeGroupRows ? min(groups, batch / largeGroupRows) : groups
    }

    /// Samples per group for large batches (see `groups(batch:work:)`).
    static let largeGroupRows = 128

    /// Runs `body(group)` for each group, up to `threads` at once, with BLAS single-threaded meanwhile
    /// (the same numbers whatever runs concurrently; two callers of a multithreaded OpenBLAS would also
    /// queue for its one thread pool).
    static func forEachGroup(_ count: Int, _ body: @Sendable (Int) -> Void) {
        singleThreadBLAS(true)
        defer { singleThreadBLAS(false) }
        let workers = min(threads, count)
        guard workers > 1 else {
            for group in 0..<count { body(group) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for group in stride(from: worker, to: count, by: workers) { body(group) }
        }
    }

    /// Runs `first` and `second` at once when each is `work` multiply-adds or more of `minimumWork` and
    /// `threads` allows, otherwise one after the other; BLAS single-threaded meanwhile. Each must write
    /// only its own results (Bidirectional's two directions).
    static func both(work: Int, _ first: @Sendable () -> Void, _ second: @Sendable () -> Void) {
        guard threads > 1, work >= minimumWork else {
            first()
            second()
            return
        }
        singleThreadBLAS(true)
        defer { singleThreadBLAS(false) }
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            if index == 0 { first() } else { second() }
        }
    }

    /// True when a layer call may take a second thread for itself: more than one thread allowed, and the call
    /// is not already running on `forEachGroup`'s or `both`'s threads.
    static var spareThread: Bool {
        lock.withLock { limit > 1 && singleThreadedBLAS == 0 }
    }

    /// Runs `main` and `helper` at once (two threads), BLAS single-threaded meanwhile; returns when both have
    /// finished. Either may run after the other if no second thread comes, so `main` must never wait for
    /// work that only `helper` would do (`ProjectionPipeline`).
    static func pipeline(_ main: @Sendable () -> Void, helper: @Sendable () -> Void) {
        singleThreadBLAS(true)
        defer { singleThreadBLAS(false) }
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            if index == 0 { main() } else { helper() }
        }
    }

    /// Nested calls (Bidirectional's directions, concurrent layers) count; the last one restores.
    private static func singleThreadBLAS(_ on: Bool) {
        #if !canImport(Accelerate)
            lock.withLock {
                if on {
                    if singleThreadedBLAS == 0 {
                        savedBLASThreads = Int(openblas_get_num_threads())
                        openblas_set_num_threads(1)
                    }
                    singleThreadedBLAS += 1
                } else {
                    singleThreadedBLAS -= 1
                    if singleThreadedBLAS == 0 { openblas_set_num_threads(Int32(savedBLASThreads)) }
                }
            }
        #endif
    }
}

/// A value one thread of `Parallelism.both` writes and the caller reads after both have finished.
final class Slot<Value>: @unchecked Sendable {
    // @unchecked: written by one thread, read only after `DispatchQueue.concurrentPerform` has returned.
    var value: Value?
}

/// A pointer handed to the threads of `Parallelism.forEachGroup`, which write disjoint rows of it.
struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
}
