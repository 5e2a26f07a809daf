internal import CZlib

/// Owner of one zlib stream: the only code in this module that touches `z_stream`.
///
/// zlib keeps a back-pointer from its internal state to the `z_stream`, so the struct must never
/// move: it lives in a heap allocation that this class owns, and `deinit` ends the stream.
/// Instances are used on one thread at a time (created, used and dropped inside one call).
final class ZStream {
    private enum Direction { case deflate, inflate }

    private let stream: UnsafeMutablePointer<z_stream>
    private let direction: Direction

    /// zlib `windowBits` for each framing: 15 = zlib, 15+16 = gzip, -15 = raw deflate.
    enum Framing {
        case zlib, gzip, raw
        var windowBits: Int32 {
            switch self {
            case .zlib: 15
            case .gzip: 15 + 16
            case .raw: -15
            }
        }
    }

    private init(direction: Direction) {
        self.direction = direction
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    /// A compressor; `level` must already be validated to 0...9.
    static func compressor(
        framing: Framing, level: Int, strategy: CompressionStrategy = .standard
    ) throws(GzipError) -> ZStream {
        let z = ZStream(direction: .deflate)
        let status = CZlib_deflateInit2(
            z.stream,
            Int32(level),
            Z_DEFLATED,
            framing.windowBits,
            8,
            strategy == .standard ? Z_DEFAULT_STRATEGY : Z_HUFFMAN_ONLY
        )
        guard status == Z_OK else {
            z.initialized = false
            throw GzipError(zlibStatus: status, message: nil)
        }
        return z
    }

    static func decompressor(framing: Framing) throws(GzipError) -> ZStream {
        let z = ZStream(direction: .inflate)
        let status = CZlib_inflateInit2(z.stream, framing.windowBits)
        guard status == Z_OK else {
            z.initialized = false
            throw GzipError(zlibStatus: status, message: nil)
        }
        return z
    }

    /// False when `*Init2` failed: there is nothing for `*End` to release.
    private var initialized = true

    deinit {
        if initialized {
            switch direction {
            case .deflate: deflateEnd(stream)
            case .inflate: inflateEnd(stream)
            }
        }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    private var zlibMessage: String? { stream.pointee.msg.map { String(cString: $0) } }

    /// Compresses all of `input` in one pass into a buffer sized by `deflateBound`.
    func compressAll(_ input: UnsafeRawBufferPointer) throws(GzipError) -> [UInt8] {
        let bound = Int(deflateBound(stream, uLong(input.count)))
        var failure: GzipError?
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            var remainingIn = input.count
            var remainingOut = bound
            stream.pointee.next_in = input.baseAddress.map {
                UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self))
            }
            stream.pointee.next_out = buffer.baseAddress
            while true {
                let inChunk = min(remainingIn, Int(UInt32.max))
                let outChunk = min(remainingOut, Int(UInt32.max))
                stream.pointee.avail_in = uInt(inChunk)
                stream.pointee.avail_out = uInt(outChunk)
                let flush = inChunk == remainingIn ? Z_FINISH : Z_NO_FLUSH
                let status = deflate(stream, flush)
                let consumed = inChunk - Int(stream.pointee.avail_in)
                let produced = outChunk - Int(stream.pointee.avail_out)
                remainingIn -= consumed
                remainingOut -= produced
                count += produced
                if status == Z_STREAM_END { break }
                if status == Z_OK && (consumed > 0 || produced > 0) { continue }
                // With a deflateBound-sized buffer deflate always finishes; anything else is a bug.
                failure =
                    status == Z_OK || status == Z_BUF_ERROR
                    ? GzipError(.internalError, "deflate made no progress")
                    : GzipError(zlibStatus: status, message: zlibMessage)
                break
            }
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
        if let failure { throw failure }
        return output
    }

    /// Inflates all of `input`, never holding more than `maxOutputBytes` of output.
    ///
    /// - Parameter multiMember: keep decoding when a stream ends and input remains (gzip members).
    func decompressAll(
        _ input: UnsafeRawBufferPointer,
        multiMember: Bool,
        maxOutputBytes cap: Int
    ) throws(GzipError) -> [UInt8] {
        var output: [UInt8] = []
        var produced = 0
        var remainingIn = input.count  // bytes not yet handed to zlib
        var probe: UInt8 = 0
        let initialSize = min(cap, max(16 * 1024, min(input.count, Int.max / 4) * 4))
        stream.pointee.next_in = input.baseAddress.map {
            UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self))
        }
        stream.pointee.avail_in = 0
        defer {
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }

        while true {
            if stream.pointee.avail_in == 0 && remainingIn > 0 {
                let chunk = min(remainingIn, Int(UInt32.max))
                stream.pointee.avail_in = uInt(chunk)
                remainingIn -= chunk
            }
            if produced == output.count && output.count < cap {
                let newSize = min(cap, max(initialSize, output.count.multipliedReportingOverflow(by: 2).partialValue))
                output.reserveCapacity(newSize)
                output.append(contentsOf: repeatElement(0, count: newSize - output.count))
            }
            let inBefore = Int(stream.pointee.avail_in)
            let status: Int32
            if produced < output.count {
                let room = min(output.count - produced, Int(UInt32.max))
                status = output.withUnsafeMutableBufferPointer { buffer in
                    stream.pointee.next_out = buffer.baseAddress! + produced  // count > produced ≥ 0
                    stream.pointee.avail_out = uInt(room)
                    return inflate(stream, Z_NO_FLUSH)
                }
                produced += room - Int(stream.pointee.avail_out)
            } else {
                // At the cap: inflate into a one-byte probe; any byte means the output is too large.
                status = withUnsafeMutablePointer(to: &probe) { pointer in
                    stream.pointee.next_out = pointer
                    stream.pointee.avail_out = 1
                    return inflate(stream, Z_NO_FLUSH)
                }
                if stream.pointee.avail_out == 0 {
                    throw GzipError(.outputTooLarge, "decoded body exceeds \(cap) bytes")
                }
            }
            let inputLeft = Int(stream.pointee.avail_in) + remainingIn > 0
            switch status {
            case Z_STREAM_END:
                guard inputLeft else {
                    output.removeLast(output.count - produced)
                    return output
                }
                guard multiMember else {
                    throw GzipError(.corruptData, "unexpected data after the end of the compressed stream")
                }
                let reset = inflateReset(stream)
                guard reset == Z_OK else { throw GzipError(zlibStatus: reset, message: zlibMessage) }
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress: either every input byte is used (truncated) or output room is needed.
                if !inputLeft { throw GzipError(zlibStatus: Z_BUF_ERROR, message: nil) }
                if inBefore == Int(stream.pointee.avail_in) && produced < output.count {
                    throw GzipError(.internalError, "inflate made no progress")
                }
            default:
                throw GzipError(zlibStatus: status, message: zlibMessage)
            }
        }
    }
}
