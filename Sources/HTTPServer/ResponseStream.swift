/// One piece of a streamed response body.
public enum StreamChunk: Sendable {
    case data([UInt8])
    /// Nothing to send yet: the server parks the connection until `wake` is called.
    case pending
    case end
}

/// A response body produced over time (Server-Sent Events).
public protocol ResponseStream: AnyObject, Sendable {
    /// Called on a server thread whenever the connection can take more data. Return `.pending`
    /// to wait; then call `wake` (from any thread, once) when data is ready.
    func next(wake: @escaping @Sendable () -> Void) -> StreamChunk
    /// The client went away or the server is stopping: release resources, end promptly.
    func close()
}
