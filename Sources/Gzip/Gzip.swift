/// How deflate searches for matches.
public enum CompressionStrategy: Sendable, Hashable {
    /// zlib's default: LZ77 matching plus Huffman coding.
    case standard
    /// Huffman coding only, no match search, by this module's own encoder
    /// (`HuffmanDeflate`: one code per 64 KiB block, written through a 64-bit bit buffer;
    /// standard gzip/zlib output that any inflater reads). For JSON float arrays (digit text
    /// with few repeats) the output is as small as zlib level 1's or smaller, at several
    /// times the speed. `level` is ignored.
    case huffmanOnly
    /// zlib's own Huffman-only mode (`Z_HUFFMAN_ONLY`), the same kind of output as
    /// `huffmanOnly` but slower; kept as a reference for benchmarks.
    case zlibHuffmanOnly
}

/// One-shot compression and capped decompression for HTTP content codings.
public enum Gzip {
    /// Compresses `bytes` with `coding`.
    ///
    /// - Parameters:
    ///   - coding: `.gzip`, `.deflate` (zlib format) or `.identity` (returns a copy).
    ///   - level: zlib level 0 (store) … 9 (best); 1 is fastest and usually enough for JSON.
    /// - Throws: ``GzipError/Code/invalidArgument`` for a level outside 0...9.
    public static func compress(
        _ bytes: UnsafeRawBufferPointer,
        coding: ContentCoding = .gzip,
        level: Int = 1,
        strategy: CompressionStrategy = .standard
    ) throws(GzipError) -> [UInt8] {
        guard (0...9).contains(level) else {
            throw GzipError(.invalidArgument, "compression level \(level) is outside 0...9")
        }
        let framing: ZStream.Framing
        switch coding {
        case .identity: return [UInt8](bytes)
        case .gzip: framing = .gzip
        case .deflate: framing = .zlib
        }
        if strategy == .huffmanOnly { return HuffmanDeflate.compress(bytes, framing: framing) }
        return try ZStream.compressor(framing: framing, level: level, strategy: strategy).compressAll(bytes)
    }

    /// Compresses `bytes` with `coding`; see ``compress(_:coding:level:)-(UnsafeRawBufferPointer,_,_)``.
    public static func compress(
        _ bytes: [UInt8],
        coding: ContentCoding = .gzip,
        level: Int = 1,
        strategy: CompressionStrategy = .standard
    ) throws(GzipError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(GzipError) in try compress(raw, coding: coding, level: level, strategy: strategy) }
        }
        return try result.get()
    }

    /// Decodes `bytes` encoded with `coding`, failing as soon as the output would pass a cap.
    ///
    /// The output buffer grows geometrically but never beyond `maxOutputBytes`, so a
    /// decompression bomb costs at most the cap in memory. gzip input may hold several members
    /// (RFC 1952); `.deflate` accepts the zlib format and falls back to raw deflate.
    /// - Throws: ``GzipError/Code/outputTooLarge`` past the cap, ``GzipError/Code/corruptData``
    ///   for corrupt, truncated or trailing data.
    public static func decompress(
        _ bytes: UnsafeRawBufferPointer,
        coding: ContentCoding,
        maxOutputBytes: Int
    ) throws(GzipError) -> [UInt8] {
        guard maxOutputBytes >= 0 else {
            throw GzipError(.invalidArgument, "maxOutputBytes must not be negative")
        }
        switch coding {
        case .identity:
            guard bytes.count <= maxOutputBytes else {
                throw GzipError(.outputTooLarge, "decoded body exceeds \(maxOutputBytes) bytes")
            }
            return [UInt8](bytes)
        case .gzip:
            guard !bytes.isEmpty else { throw GzipError(.corruptData, "empty gzip stream") }
            return try ZStream.decompressor(framing: .gzip)
                .decompressAll(bytes, multiMember: true, maxOutputBytes: maxOutputBytes)
        case .deflate:
            guard !bytes.isEmpty else { throw GzipError(.corruptData, "empty deflate stream") }
            do {
                return try ZStream.decompressor(framing: .zlib)
                    .decompressAll(bytes, multiMember: false, maxOutputBytes: maxOutputBytes)
            } catch where error.code == .corruptData {
                // Some clients send raw RFC 1951 data as "deflate": retry without the zlib wrapper.
                do {
                    return try ZStream.decompressor(framing: .raw)
                        .decompressAll(bytes, multiMember: false, maxOutputBytes: maxOutputBytes)
                } catch where error.code == .corruptData {
                    throw GzipError(.corruptData, "deflate data is neither valid zlib nor raw deflate")
                }
            }
        }
    }

    /// Decodes `bytes`; see ``decompress(_:coding:maxOutputBytes:)-(UnsafeRawBufferPointer,_,_)``.
    public static func decompress(
        _ bytes: [UInt8],
        coding: ContentCoding,
        maxOutputBytes: Int
    ) throws(GzipError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(GzipError) in
                try decompress(raw, coding: coding, maxOutputBytes: maxOutputBytes)
            }
        }
        return try result.get()
    }
}
