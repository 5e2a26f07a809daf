import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where ``LineLogHandler`` lines go: a file descriptor, written either line by line or in
/// batches.
///
/// Batched (the service's standard error): lines are appended to a buffer and written with one
/// `write(2)` per batch, so the access log costs no system call per request. A batch goes out
/// `flushInterval` after its first line, as soon as it holds `maxBufferedBytes`, at once with a
/// line marked urgent (warnings and worse: everything before it goes too, in order), on
/// ``flush()`` and, for ``standardError``, when the process exits. Lines keep their order and are
/// never split: batches are taken and written under one lock.
public final class LogSink: Sendable {
    private struct Pending {
        var bytes: [UInt8] = []
        /// A delayed flush is queued; stays set until it runs, so a busy log arms at most one
        /// timer per interval however often full batches are written in between.
        var timerArmed = false
    }

    /// The descriptor lines are written to.
    public let fileDescriptor: Int32
    /// nil: every line is written at once.
    public let flushInterval: Duration?
    /// A batch this large is written by the thread that filled it.
    public let maxBufferedBytes: Int
    private let pending = Mutex(Pending())
    /// Held while a batch is taken and written, so batches reach the descriptor in order.
    private let writing = Mutex(())
    /// Runs the delayed flushes of every sink.
    private static let timerQueue = DispatchQueue(label: "activation-service.log-flush")

    /// A sink on `fileDescriptor`; `flushInterval` nil writes each line with its own `write(2)`.
    public init(fileDescriptor: Int32, flushInterval: Duration? = .milliseconds(100), maxBufferedBytes: Int = 64 * 1024) {
        self.fileDescriptor = fileDescriptor
        self.flushInterval = flushInterval
        self.maxBufferedBytes = max(1, maxBufferedBytes)
    }

    /// Standard error, batched every 100 ms; flushed at process exit (`atexit`).
    public static let standardError: LogSink = {
        let sink = LogSink(fileDescriptor: 2)
        #if canImport(Glibc)
        atexit { LogSink.standardError.flush() }
        #endif
        return sink
    }()

    /// Appends one whole line (newline included); `urgent` writes it and everything before it now.
    public func write(_ line: [UInt8], urgent: Bool = false) {
        guard let interval = flushInterval else {
            fileDescriptor.writeAll(line)  // one write(2) keeps concurrent lines whole
            return
        }
        let (full, arm) = pending.withLock { p -> (Bool, Bool) in
            p.bytes.append(contentsOf: line)
            let full = p.bytes.count >= maxBufferedBytes
            let arm = !p.timerArmed && !urgent && !full
            if arm { p.timerArmed = true }
            return (full, arm)
        }
        if urgent || full {
            flush()
        } else if arm {
            Self.timerQueue.asyncAfter(deadline: .now() + .nanoseconds(Self.nanoseconds(interval))) { self.timerFired() }
        }
    }

    /// The delayed flush: writes what is buffered, then lets the next line arm a new timer.
    private func timerFired() {
        flush()
        let rearm = pending.withLock { p -> Bool in
            // Lines appended while this timer was armed did not arm another: cover them.
            if p.bytes.isEmpty {
                p.timerArmed = false
                return false
            }
            return true
        }
        if rearm, let interval = flushInterval {
            Self.timerQueue.asyncAfter(deadline: .now() + .nanoseconds(Self.nanoseconds(interval))) { self.timerFired() }
        }
    }

    /// Writes every buffered line now (blocking until written).
    public func flush() {
        writing.withLock { _ in
            let batch = pending.withLock { p -> [UInt8] in
                guard !p.bytes.isEmpty else { return [] }
                var next: [UInt8] = []
                next.reserveCapacity(min(p.bytes.capacity, maxBufferedBytes + 4096))
                swap(&next, &p.bytes)
                return next
            }
            if !batch.isEmpty { fileDescriptor.writeAll(batch) }
        }
    }

    /// Bytes waiting to be written (for tests).
    var bufferedByteCount: Int { pending.withLock { $0.bytes.count } }

    private static func nanoseconds(_ d: Duration) -> Int {
        let (s, atto) = d.components
        return Int(s) * 1_000_000_000 + Int(atto / 1_000_000_000)
    }
}

extension Int32 {
    /// Writes every byte to this file descriptor, retrying after partial writes and EINTR;
    /// gives up silently on other errors (a log line has nowhere else to go).
    func writeAll(_ bytes: [UInt8]) {
        #if canImport(Glibc)
        bytes.withUnsafeBytes { raw in
            guard var p = raw.baseAddress else { return }
            var left = raw.count
            while left > 0 {
                let n = Glibc.write(self, p, left)
                if n > 0 {
                    p += n
                    left -= n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        #endif
    }
}
