import App
import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// `activation-service healthcheck`: exit 0 when GET /healthz answers 200 in time (for Docker's
/// HEALTHCHECK; the image has no curl).
struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Exit 0 if the service on HOST:PORT answers /healthz with 200.")

    @Option(help: "Host to probe (env HOST; 0.0.0.0 probes 127.0.0.1).") var host: String?
    @Option(help: "Port to probe (env PORT, default 8080).") var port: Int?
    @Option(help: "Seconds before giving up.") var timeout: Int = 3

    func run() throws {
        // The service's own rules for --host/HOST and --port/PORT (the other settings are not read).
        let flags = [host.map { "--host=\($0)" }, port.map { "--port=\($0)" }].compactMap { $0 }
        let environment = processEnvironment().filter { $0.key == "HOST" || $0.key == "PORT" }
        let configuration: AppConfiguration
        do { configuration = try AppConfiguration.load(arguments: flags, environment: environment) } catch {
            throw ValidationError(error.description)
        }
        var target = configuration.host
        if target == "0.0.0.0" || target == "::" || target == "localhost" { target = "127.0.0.1" }
        let p = configuration.port
        let status = probe(host: target, port: p, path: "/healthz", timeoutMs: Int32(timeout * 1000))
        guard status == 200 else {
            printError("healthcheck failed: \(status.map { "HTTP \($0)" } ?? "no answer") from \(target):\(p)")
            throw ExitCode.failure
        }
    }
}

private func printError(_ s: String) {
    let line = s + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

/// Sends `GET path` over a plain socket and returns the status code (nil on any failure).
private func probe(host: String, port: Int, path: String, timeoutMs: Int32) -> Int? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { return nil }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if connected != 0 && errno != EINPROGRESS { return nil }
    var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
    guard poll(&pfd, 1, timeoutMs) == 1 else { return nil }
    let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
    let sent = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    guard sent > 0 else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1024)
    while response.count < 12 {
        pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, timeoutMs) == 1 else { return nil }
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        response.append(contentsOf: buffer[0..<n])
    }
    let line = String(decoding: response.prefix(12), as: UTF8.self)
    let parts = line.split(separator: " ")
    guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
    return Int(parts[1])
}
