// TEMPORARY stub until the transport lands (deleted at merge).
import Logging
public struct HTTPServerError: Error {}
public final class HTTPServer: Sendable {
    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger) {}
    public func start() throws(HTTPServerError) -> Int { throw HTTPServerError() }
    public func shutdown(drainTimeout: Duration) {}
    public var inFlightRequests: Int { 0 }
    public var isRunning: Bool { false }
}
