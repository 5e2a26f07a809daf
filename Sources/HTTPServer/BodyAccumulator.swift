/// Collects a request body into one growing buffer and enforces the body limit.
///
/// Each byte is copied once, from libmicrohttpd's read buffer into ``bytes``. When the declared
/// `Content-Length` fits the limit the buffer is reserved up front. Once the limit is passed
/// (possible only without `Content-Length`, i.e. chunked uploads) the buffer is dropped and later
/// chunks are counted and discarded, so the connection can still get a proper 413.
struct BodyAccumulator {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    /// Body bytes seen so far, including discarded ones (saturating).
    private(set) var received = 0

    init(limit: Int, declaredLength: Int?) {
        self.limit = limit
        if let declaredLength, declaredLength > 0, declaredLength <= limit {
            bytes.reserveCapacity(declaredLength)
        }
    }

    var isTooLarge: Bool { received > limit }

    mutating func append(_ chunk: UnsafeBufferPointer<UInt8>) {
        let (sum, overflow) = received.addingReportingOverflow(chunk.count)
        received = overflow ? Int.max : sum
        if received > limit {
            if bytes.capacity > 0 { bytes = [] }
            return
        }
        bytes.append(contentsOf: chunk)
    }

    /// Moves the body out (without copying).
    mutating func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }
}
