import Foundation
import Logging
import Testing

@testable import App

/// The cheaper per-request pieces keep their contracts: ids unique and well-formed, log lines in
/// StreamLogHandler's format.
@Suite struct HotPathTests {
    @Test func generatedRequestIDsAreSixteenHexDigitsAndUnique() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let id = ServiceHandler.freshRequestID()
            #expect(id.utf8.count == 16)
            #expect(id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
            seen.insert(id)
        }
        #expect(seen.count == 10_000)
    }

    @Test func lineLogHandlerWritesStreamLogHandlerFormat() throws {
        let event = LogEvent(level: .info, message: "request", metadata: ["status": "200", "method": "POST", "n": .stringConvertible(3)],
                             source: "App", file: #fileID, function: #function, line: #line)
        let line = String(decoding: LineLogHandler.format(event, label: "activation-service", metadata: event.metadata ?? [:]), as: UTF8.self)
        let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} info activation-service: method=POST n=3 status=200 \[App\] request\n$/#
        #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
    }

    @Test func lineLogHandlerWritesWholeLinesToItsDescriptor() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        var handler = LineLogHandler(label: "t", fileDescriptor: fds[1])
        handler.logLevel = .debug
        handler[metadataKey: "base"] = "b"
        let configured = handler
        let logger = Logger(label: "t") { _ in configured }
        logger.info("hello", metadata: ["k": "v"])
        logger.trace("dropped")
        close(fds[1])
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(fds[0], &buffer, buffer.count)
        let text = String(decoding: buffer[0..<max(0, n)], as: UTF8.self)
        #expect(text.hasSuffix(" info t: base=b k=v [App] hello\n") || text.hasSuffix(" info t: base=b k=v [AppTests] hello\n"), "\(text)")
        #expect(!text.contains("dropped"))
    }
}

/// The per-request metrics keep one series per route, method and status, with exact counts.
@Suite struct RequestMetricsTests {
    @Test func requestCountersAreSeparatedByRouteMethodAndStatus() {
        let app = makeApp()
        for _ in 0..<3 { _ = app.post("/v1/activations/relu/forward", json: ["x": [1.0]]) }
        _ = app.post("/v1/activations/nope/forward", json: ["x": [1.0]])
        _ = app.get("/v1/activations/relu/forward")
        _ = app.get("/nowhere")
        let lines = app.get("/metrics").text.split(separator: "\n").filter { $0.hasPrefix("http_requests_total{") }
        func count(_ route: String, _ method: String, _ status: Int) -> String? {
            lines.first { $0.contains("route=\"\(route)\"") && $0.contains("method=\"\(method)\"") && $0.contains("status=\"\(status)\"") }
                .map { String($0.split(separator: " ").last!) }
        }
        #expect(count("/v1/activations/{name}/forward", "POST", 200) == "3", "\(lines)")
        #expect(count("/v1/activations/{name}/forward", "POST", 404) == "1", "\(lines)")
        #expect(count("unmatched", "GET", 405) == "1", "\(lines)")
        #expect(count("unmatched", "GET", 404) == "1", "\(lines)")
        #expect(lines.count == 4, "\(lines)")
    }
}
