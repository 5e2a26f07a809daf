// The C callbacks libmicrohttpd calls on its pool threads (threading: DaemonHandle.swift).

internal import CMicroHTTPD
import Logging
import Synchronization
import SystemInfo

#if canImport(Glibc)
import Glibc
#endif

private func serverCore(_ cls: UnsafeMutableRawPointer?) -> ServerCore {
    Unmanaged<ServerCore>.fromOpaque(cls!).takeUnretainedValue()  // cls is always our context
}

/// `MHD_AccessHandlerCallback`: called after the headers, per body chunk, for the final call,
/// and again after every resume.
let accessHandler: MHD_AccessHandlerCallback = {
    cls, connection, url, method, _, uploadData, uploadDataSize, requestSlot in
    guard let connection, let uploadDataSize, let requestSlot else { return .NO }
    if let existing = requestSlot.pointee {
        let request = Unmanaged<InFlightRequest>.fromOpaque(existing).takeUnretainedValue()
        let size = uploadDataSize.pointee
        if size > 0 {
            let chunk = UnsafeRawPointer(uploadData).map {
                UnsafeBufferPointer(start: $0.assumingMemoryBound(to: UInt8.self), count: size)
            }
            if let chunk { request.consume(chunk) }
            uploadDataSize.pointee = 0
            return .YES
        }
        return request.finish()
    }
    let head = HTTPRequest(
        method: method.map { String(cString: $0) } ?? "GET",
        path: url.map { String(cString: $0) } ?? "/",
        query: connectionValues(connection, .GET_ARGUMENT_KIND),
        headers: HTTPHeaders(fields: connectionValues(connection, .HEADER_KIND))
    )
    let request = InFlightRequest(connection: ConnectionRef(raw: connection), core: serverCore(cls), head: head)
    requestSlot.pointee = Unmanaged.passRetained(request).toOpaque()
    return request.start()
}

/// `MHD_OPTION_NOTIFY_COMPLETED`: the request is over (sent, aborted, timed out or shut down).
/// Frees the per-request state, including for uploads the client abandoned.
let requestCompleted: MHD_RequestCompletedCallback = { _, _, requestSlot, termination in
    guard let requestSlot, let pointer = requestSlot.pointee else { return }
    requestSlot.pointee = nil
    let request = Unmanaged<InFlightRequest>.fromOpaque(pointer)
    request.takeUnretainedValue().completed(cleanly: termination == .REQUEST_TERMINATED_COMPLETED_OK)
    request.release()
}

/// `MHD_OPTION_EXTERNAL_LOGGER`: formats MHD's printf-style message into the server logger.
let logMessage: MHD_LogCallback = { cls, format, arguments in
    guard let format, let arguments else { return }
    var buffer = [CChar](repeating: 0, count: 512)
    _ = buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, arguments) }
    var message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    while message.last?.isNewline == true { message.removeLast() }
    let server = serverCore(cls)
    server.lastLogMessage.withLock { $0 = message }
    server.logger.notice("libmicrohttpd: \(message)")
}

private let collectValue: MHD_KeyValueIteratorN = { cls, _, key, keySize, value, valueSize in
    let fields = cls!.assumingMemoryBound(to: [(name: String, value: String)].self)  // our array
    fields.pointee.append((name: decode(key, keySize), value: decode(value, valueSize)))
    return .YES
}

private func decode(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> String {
    guard let pointer else { return "" }
    return pointer.withMemoryRebound(to: UInt8.self, capacity: count) {
        String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
    }
}

private func connectionValues(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [(name: String, value: String)] {
    var fields: [(name: String, value: String)] = []
    withUnsafeMutablePointer(to: &fields) { _ = MHD_get_connection_values_n(connection, kind, collectValue, $0) }
    return fields
}
