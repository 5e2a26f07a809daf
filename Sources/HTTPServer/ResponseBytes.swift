internal import CMicroHTTPD
import Logging
import Synchronization
import SystemInfo

#if canImport(Glibc)
import Glibc
#endif

/// A response body handed to libmicrohttpd without copying.
/// @unchecked Sendable: `bytes` is immutable and never mutated after init, so its storage (and
/// `base`, which points into it) stays valid and unchanged for the box's lifetime; MHD only reads it.
final class ResponseBytes: @unchecked Sendable {
    let bytes: [UInt8]
    /// The first byte of `bytes`' contiguous storage (a native array's buffer does not move
    /// while the array is alive and unmutated).
    let base: UnsafeMutableRawPointer

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        // `bytes` and `self.bytes` share one buffer (no mutation, so no copy-on-write).
        base = UnsafeMutableRawPointer(mutating: bytes.withUnsafeBytes { $0.baseAddress! })  // non-empty
    }
}

/// `MHD_ContentReaderFreeCallback` for ``ResponseBytes``: the response is gone.
let freeBytes: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    Unmanaged<ResponseBytes>.fromOpaque(cls).release()
}
