import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Writes log lines to a file descriptor (standard error by default) in the format of
/// swift-log's `StreamLogHandler`:
/// `2026-11-23T14:27:00+0000 info activation-service: key=value … [App] message`.
///
/// It exists because the service logs one line per request: `StreamLogHandler` calls
/// `localtime`, which re-reads the time zone (a `stat` of /etc/localtime) on every line, builds
/// the line from several intermediate strings, and writes through the stdio lock plus `fflush`.
/// Here the timestamp is formatted once per second, the line is assembled in one byte buffer,
/// and it goes to a ``LogSink``: the service's batches lines (no `write(2)` per request; warnings
/// and worse are written at once), a sink made from a bare descriptor writes each line whole.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    public var metadata: Logger.Metadata = [:]
    let label: String
    let sink: LogSink

    /// A handler for `label` writing each line at once to `fileDescriptor` (2 = standard error).
    public init(label: String, fileDescriptor: Int32 = 2, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, sink: LogSink(fileDescriptor: fileDescriptor, flushInterval: nil), metadataProvider: metadataProvider)
    }

    /// A handler for `label` writing to `sink` (e.g. ``LogSink/standardError``, batched).
    public init(label: String, sink: LogSink, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            // The access log's case: no handler metadata, so no copy into a fresh dictionary.
            if merged.isEmpty { merged = explicit } else { merged.merge(explicit) { _, new in new } }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        sink.write(Self.format(event, label: label, metadata: merged), urgent: event.level >= .warning)
    }

    /// The line for `event` (newline included).
    static func format(_ event: LogEvent, label: String, metadata: Logger.Metadata) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: LogClock.timestamp())
        line.append(UInt8(ascii: " "))
        line.appendUTF8(event.level.rawValue)
        if !label.isEmpty {
            line.append(UInt8(ascii: " "))
            line.appendUTF8(label)
        }
        line.append(UInt8(ascii: ":"))
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line.append(UInt8(ascii: " "))
            line.appendUTF8(key)
            line.append(UInt8(ascii: "="))
            if case .string(let s) = value {
                line.appendUTF8(s)
            } else {
                line.appendUTF8(value.description)
            }
        }
        line.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: "[")])
        line.appendUTF8(event.source)
        line.append(contentsOf: [UInt8(ascii: "]"), UInt8(ascii: " ")])
        line.appendUTF8(event.message.description)
        line.append(UInt8(ascii: "\n"))
        return line
    }
}

extension [UInt8] {
    /// Appends the string's UTF-8 bytes in one copy (`append(contentsOf: s.utf8)` goes byte by byte).
    mutating func appendUTF8(_ s: String) {
        var s = s
        s.withUTF8 { append(contentsOf: $0) }
    }
}

/// Local time as `%Y-%m-%dT%H:%M:%S%z`, formatted at most once per second.
enum LogClock {
    private static let cache = Mutex<(second: Int, text: [UInt8])>((-1, []))

    static func timestamp() -> [UInt8] {
        #if canImport(Glibc)
        let now = time(nil)
        if let hit = cache.withLock({ $0.second == now ? $0.text : nil }) { return hit }
        var t = now
        var parts = tm()
        var buffer = [CChar](repeating: 0, count: 64)
        guard localtime_r(&t, &parts) != nil else { return Array("<unknown>".utf8) }
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        let text = buffer[0..<n].map { UInt8(bitPattern: $0) }
        cache.withLock { $0 = (now, text) }
        return text
        #else
        return Array("<unknown>".utf8)
        #endif
    }
}

/// The fields of one access-log line (the `request` message of every answered request).
struct AccessLogFields {
    var requestID: String
    var method: String
    var path: String
    var status: Int
    var durationMilliseconds: Double
    var bytesIn: Int
    var bytesOut: Int

    /// The same fields as `Logger.Metadata`, for handlers other than ``LineLogHandler``.
    var metadata: Logger.Metadata {
        var m = Logger.Metadata(minimumCapacity: 8)
        m["request_id"] = .string(requestID)
        m["method"] = .string(method)
        m["path"] = .string(path)
        m["status"] = .string(String(status))
        m["duration_ms"] = .string(durationMilliseconds.description)
        m["bytes_in"] = .string(String(bytesIn))
        m["bytes_out"] = .string(String(bytesOut))
        return m
    }
}

extension LineLogHandler {
    /// True when ``logAccess(_:level:message:source:)`` writes exactly what `log(event:)` would:
    /// the handler adds no metadata of its own.
    var writesAccessLinesDirectly: Bool { metadata.isEmpty && metadataProvider == nil }

    /// Writes the access-log line for `fields` without building, merging and sorting a
    /// metadata dictionary: the keys are written in their sorted order. Same bytes as
    /// `log(event:)` with `fields.metadata` (AccessLogTests); only when
    /// ``writesAccessLinesDirectly``.
    func logAccess(_ fields: AccessLogFields, level: Logger.Level, message: String, source: String) {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: LogClock.timestamp())
        line.append(UInt8(ascii: " "))
        line.appendUTF8(level.rawValue)
        if !label.isEmpty {
            line.append(UInt8(ascii: " "))
            line.appendUTF8(label)
        }
        line.appendUTF8(": bytes_in=")
        line.appendUTF8(String(fields.bytesIn))
        line.appendUTF8(" bytes_out=")
        line.appendUTF8(String(fields.bytesOut))
        line.appendUTF8(" duration_ms=")
        line.appendUTF8(fields.durationMilliseconds.description)
        line.appendUTF8(" method=")
        line.appendUTF8(fields.method)
        line.appendUTF8(" path=")
        line.appendUTF8(fields.path)
        line.appendUTF8(" request_id=")
        line.appendUTF8(fields.requestID)
        line.appendUTF8(" status=")
        line.appendUTF8(String(fields.status))
        line.appendUTF8(" [")
        line.appendUTF8(source)
        line.appendUTF8("] ")
        line.appendUTF8(message)
        line.append(UInt8(ascii: "\n"))
        sink.write(line, urgent: level >= .warning)
    }
}
