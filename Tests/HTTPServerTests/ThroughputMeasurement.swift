import Foundation
import Testing

/// Opt-in load measurement with `wrk` (not part of the normal run):
/// `HTTP_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter ThroughputMeasurement`
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["HTTP_BENCH"] != nil))
struct ThroughputMeasurement {
    func wrk(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test(arguments: ["/echo", "/async?i=1"])
    func smallRequests(path: String) throws {
        let (server, port) = try makeServer()
        defer { server.shutdown(drainTimeout: .seconds(1)) }
        let report = try wrk(["-t2", "-c64", "-d5s", "--latency", "http://127.0.0.1:\(port)\(path)"])
        print("wrk GET \(path):\n\(report)")
        #expect(report.contains("Requests/sec"))
        #expect(!report.contains("Socket errors"))
        #expect(!report.contains("Non-2xx"))
    }

    @Test func postOneMiB() throws {
        let (server, port) = try makeServer()
        defer { server.shutdown(drainTimeout: .seconds(1)) }
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("post-\(getpid()).lua")
        try "wrk.method = \"POST\"\nwrk.body = string.rep(\"x\", 1048576)\n".write(
            to: script,
            atomically: true,
            encoding: .utf8
        )
        defer { try? FileManager.default.removeItem(at: script) }
        let report = try wrk(["-t2", "-c8", "-d5s", "-s", script.path, "http://127.0.0.1:\(port)/echo"])
        print("wrk POST 1 MiB echo:\n\(report)")
        #expect(report.contains("Requests/sec"))
        #expect(!report.contains("Socket errors"))
    }
}
