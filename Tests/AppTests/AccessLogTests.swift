import Foundation
import Logging
import Testing

@testable import App

/// The direct access-log line is byte for byte the line `log(event:)` writes for the same fields.
@Suite struct AccessLogTests {
    /// Lines written to a pipe through a sink that is flushed on demand.
    func lines(_ body: (LineLogHandler) -> Void) -> [String] {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        let sink = LogSink(fileDescriptor: fds[1], flushInterval: .seconds(3600))
        body(LineLogHandler(label: "activation-service", sink: sink))
        sink.flush()
        close(fds[1])
        defer { close(fds[0]) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Without the timestamp (the two lines may straddle a second).
    func body(_ line: String) -> String { String(line.drop { $0 != " " }) }

    @Test(arguments: [
        AccessLogFields(requestID: "0123456789abcdef", method: "POST", path: "/v1/activations/gelu/forward", status: 200,
                        durationMilliseconds: 0.042, bytesIn: 178, bytesOut: 180),
        AccessLogFields(requestID: "client-id", method: "GET", path: "/v1/activations/gélu", status: 404,
                        durationMilliseconds: 12.5, bytesIn: 0, bytesOut: 321),
        AccessLogFields(requestID: "x", method: "DELETE", path: "/", status: 503, durationMilliseconds: 1e-05, bytesIn: 1 << 40, bytesOut: 0),
    ])
    func directLineEqualsTheGenericLine(fields: AccessLogFields) {
        let level: Logger.Level = fields.status >= 500 ? .error : .info
        let written = lines { handler in
            #expect(handler.writesAccessLinesDirectly)
            let logger = Logger(label: "activation-service") { _ in handler }
            logger.log(level: level, "request", metadata: fields.metadata)
            handler.logAccess(fields, level: level, message: "request", source: "AppTests")
        }
        #expect(written.count == 2)
        #expect(written.count == 2 && body(written[0]) == body(written[1]), "\(written)")
        #expect(written.first?.contains(" request_id=\(fields.requestID) status=\(fields.status) [AppTests] request") == true)
    }

    @Test func handlerWithItsOwnMetadataIsNotDirect() {
        var handler = LineLogHandler(label: "t", sink: LogSink(fileDescriptor: -1, flushInterval: nil))
        #expect(handler.writesAccessLinesDirectly)
        handler[metadataKey: "pod"] = "a"
        #expect(!handler.writesAccessLinesDirectly)
        let provided = LineLogHandler(label: "t", sink: LogSink(fileDescriptor: -1, flushInterval: nil), metadataProvider: .init { ["k": "v"] })
        #expect(!provided.writesAccessLinesDirectly)
    }
}
