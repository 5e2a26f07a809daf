import Dispatch
import Foundation
import Logging
import Testing

@testable import App

/// The batched log sink loses no line, keeps lines whole and in order, and writes urgent lines,
/// explicit flushes and delayed batches.
@Suite struct LogSinkTests {
    /// A pipe whose read end is drained by `readAll` after the write end is closed.
    struct Pipe {
        let read: Int32
        let write: Int32
        init() {
            var fds: [Int32] = [0, 0]
            precondition(pipe(&fds) == 0)
            read = fds[0]
            write = fds[1]
        }
        /// Everything written (closes both ends).
        func readAll() -> String {
            close(write)
            defer { close(read) }
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = Foundation.read(read, &buffer, buffer.count)
                if n <= 0 { break }
                out += buffer[0..<n]
            }
            return String(decoding: out, as: UTF8.self)
        }
        /// Bytes readable now without blocking.
        func available() -> Int {
            var n: Int32 = 0
            _ = ioctl(read, UInt(FIONREAD), &n)
            return Int(n)
        }
    }

    @Test func linesStayBufferedUntilFlush() {
        let p = Pipe()
        let sink = LogSink(fileDescriptor: p.write, flushInterval: .seconds(3600))
        sink.write(Array("one\n".utf8))
        sink.write(Array("two\n".utf8))
        #expect(p.available() == 0)
        #expect(sink.bufferedByteCount == 8)
        sink.flush()
        #expect(sink.bufferedByteCount == 0)
        #expect(p.readAll() == "one\ntwo\n")
    }

    @Test func urgentLineWritesItselfAndEverythingBefore() {
        let p = Pipe()
        let sink = LogSink(fileDescriptor: p.write, flushInterval: .seconds(3600))
        sink.write(Array("request\n".utf8))
        sink.write(Array("error\n".utf8), urgent: true)
        #expect(p.available() == 14)
        #expect(p.readAll() == "request\nerror\n")
    }

    @Test func fullBufferIsWrittenByTheWriter() {
        let p = Pipe()
        let sink = LogSink(fileDescriptor: p.write, flushInterval: .seconds(3600), maxBufferedBytes: 10)
        sink.write(Array("12345\n".utf8))
        #expect(p.available() == 0)
        sink.write(Array("67890\n".utf8))
        #expect(p.available() == 12)
        #expect(p.readAll() == "12345\n67890\n")
    }

    @Test func delayedBatchIsWrittenWithoutFlush() {
        let p = Pipe()
        let sink = LogSink(fileDescriptor: p.write, flushInterval: .milliseconds(10))
        sink.write(Array("later\n".utf8))
        // Liveness, not timing: the batch must appear; the deadline only stops a broken timer.
        let deadline = ContinuousClock.now + .seconds(30)
        while p.available() < 6 && ContinuousClock.now < deadline { usleep(1000) }
        #expect(sink.bufferedByteCount == 0)
        #expect(p.readAll() == "later\n")
    }

    /// Lines keep arriving while a timer is armed (and while it flushes): without any explicit
    /// flush, every one of them is eventually written by the timers alone.
    @Test func timersAloneWriteEveryLine() {
        let p = Pipe()
        let sink = LogSink(fileDescriptor: p.write, flushInterval: .milliseconds(2), maxBufferedBytes: 1 << 20)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for i in 0..<200 {
                sink.write(Array("\(t):\(i)\n".utf8))
                if i % 20 == 0 { usleep(1500) }
            }
        }
        let expected = (0..<4).reduce(0) { total, t in total + (0..<200).reduce(0) { $0 + "\(t):\($1)\n".utf8.count } }
        let deadline = ContinuousClock.now + .seconds(30)  // liveness only
        while p.available() < expected && ContinuousClock.now < deadline { usleep(1000) }
        #expect(p.available() == expected)
        #expect(Set(p.readAll().split(separator: "\n")).count == 800)
    }

    @Test func unbatchedSinkWritesEachLineAtOnce() {
        let p = Pipe()
        let sink = LogSink(fileDescriptor: p.write, flushInterval: nil)
        sink.write(Array("now\n".utf8))
        #expect(p.available() == 4)
        #expect(p.readAll() == "now\n")
    }

    /// Many threads log through a small buffer (frequent inline and timer flushes): every line
    /// arrives exactly once, whole, and each thread's lines in the order it wrote them.
    @Test func concurrentWritersLoseNoLineAndKeepOrder() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("logsink-\(UUID().uuidString)").path
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        defer { unlink(file) }
        let sink = LogSink(fileDescriptor: fd, flushInterval: .milliseconds(1), maxBufferedBytes: 700)
        let threads = 8, perThread = 2_000
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                sink.write(Array("t=\(t) i=\(i) \(String(repeating: "x", count: i % 50))\n".utf8), urgent: i % 997 == 0)
            }
        }
        sink.flush()
        close(fd)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == threads * perThread + 1)  // last element: after the final newline
        #expect(lines.last == "")
        var next = [Int](repeating: 0, count: threads)
        for line in lines.dropLast() {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let t = Int(parts[0].dropFirst(2)), let i = Int(parts[1].dropFirst(2)), (0..<threads).contains(t) else {
                Issue.record("malformed line \(line)")
                return
            }
            #expect(i == next[t], "thread \(t): line \(i) after \(next[t] - 1)")
            #expect(parts.count == 2 + (i % 50 == 0 ? 0 : 1))
            next[t] = i + 1
        }
        #expect(next == [Int](repeating: perThread, count: threads))
    }

    /// Through the handler: requests at info are batched, an error line goes out at once with them.
    @Test func handlerMarksWarningsAndWorseUrgent() {
        let p = Pipe()
        let sink = LogSink(fileDescriptor: p.write, flushInterval: .seconds(3600))
        let logger = Logger(label: "t") { _ in LineLogHandler(label: "t", sink: sink) }
        logger.info("request")
        logger.notice("still batched")
        #expect(p.available() == 0)
        logger.warning("now")
        let text = p.readAll()
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.count == 3 && lines[0].hasSuffix("] request") && lines[1].hasSuffix("] still batched") && lines[2].hasSuffix("] now"), "\(text)")
    }
}
