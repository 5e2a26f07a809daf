internal import CZlib

/// A Huffman-only DEFLATE encoder (RFC 1951 blocks of literals, no match search) with gzip
/// (RFC 1952) or zlib (RFC 1950) framing; zlib's `crc32` / `adler32` give the checksums.
///
/// It does what zlib's `Z_HUFFMAN_ONLY` does, in two tight passes per block (count the bytes,
/// then write one table-looked-up code per byte through a 64-bit bit buffer) instead of
/// zlib's per-symbol bookkeeping, which makes it several times faster. Each block of up to
/// 65,535 input bytes gets its own length-limited (≤ 15 bits) canonical code in a dynamic
/// block, or is stored when that would be smaller (incompressible input grows by 5 bytes per
/// block at most).
enum HuffmanDeflate {
    /// Input bytes per block: the most one stored block can hold.
    static let blockSize = 65_535

    /// Compresses `input` into one gzip member (`.gzip`) or one zlib stream (`.zlib`); `.raw`
    /// gives bare DEFLATE data.
    static func compress(_ input: UnsafeRawBufferPointer, framing: ZStream.Framing) -> [UInt8] {
        let n = input.count
        let blocks = max(1, (n + blockSize - 1) / blockSize)
        // Every block costs at most its stored size (≤ 6 bytes of header and padding), plus the
        // frame, plus room for the bit writer's 8-byte stores past the end.
        let capacity = n + 6 * blocks + 18 + 16
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            let start = buffer.baseAddress!  // capacity > 0
            var out = start
            switch framing {
            case .gzip:
                // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=4 (fastest) OS=3 (Unix), as zlib writes.
                for byte: UInt8 in [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 4, 3] { out.pointee = byte; out += 1 }
            case .zlib:
                out[0] = 0x78; out[1] = 0x01  // 32 KiB window, fastest; (0x7801 % 31 == 0)
                out += 2
            case .raw:
                break
            }
            var writer = BitWriter(out)
            var codes = CodeBuilder()
            let base = input.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) }
            var offset = 0
            repeat {
                let length = min(blockSize, n - offset)
                let block = UnsafeBufferPointer(start: base.map { $0 + offset }, count: length)
                offset += length
                codes.writeBlock(block, isFinal: offset == n, to: &writer)
            } while offset < n
            out = writer.finish()
            switch framing {
            case .gzip:
                let crc = UInt32(truncatingIfNeeded: checksum(input, crc32))
                storeLittleEndian(crc, at: out)
                storeLittleEndian(UInt32(truncatingIfNeeded: n), at: out + 4)
                out += 8
            case .zlib:
                let adler = UInt32(truncatingIfNeeded: checksum(input, adler32))
                storeLittleEndian(adler.byteSwapped, at: out)  // big-endian
                out += 4
            case .raw:
                break
            }
            initialized = out - start
            precondition(initialized <= capacity, "HuffmanDeflate overran its output bound")
        }
    }

    /// zlib's running checksum (`crc32` or `adler32`) of all of `input`, in ≤ 1 GiB pieces.
    private static func checksum(
        _ input: UnsafeRawBufferPointer,
        _ update: (uLong, UnsafePointer<Bytef>?, uInt) -> uLong
    ) -> uLong {
        var value = update(0, nil, 0)
        guard var p = input.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return value }
        var left = input.count
        while left > 0 {
            let chunk = min(left, 1 << 30)
            value = update(value, p, uInt(chunk))
            p += chunk
            left -= chunk
        }
        return value
    }

    @inline(__always)
    static func storeLittleEndian(_ v: UInt32, at p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v.littleEndian, as: UInt32.self)
    }
}

/// LSB-first bit output (DEFLATE's order) through a 64-bit buffer. The output must have 8
/// bytes of slack past the last byte written: flushes store whole words.
struct BitWriter {
    private(set) var out: UnsafeMutablePointer<UInt8>
    private var bits: UInt64 = 0
    private var count: UInt64 = 0  // valid bits in `bits`, < 8 after every flush

    init(_ out: UnsafeMutablePointer<UInt8>) { self.out = out }

    /// Appends the low `n` bits of `value` (`value` < 2^n, n ≤ 56 - pending bits).
    @inline(__always)
    mutating func put(_ value: UInt64, _ n: UInt64) {
        bits |= value &<< count
        count &+= n
    }

    /// Writes out every whole byte (one unaligned 8-byte store), keeping < 8 bits pending.
    @inline(__always)
    mutating func flush() {
        UnsafeMutableRawPointer(out).storeBytes(of: bits.littleEndian, as: UInt64.self)
        out += Int(truncatingIfNeeded: count &>> 3)
        bits = bits &>> (count & 56)
        count &= 7
    }

    /// Pads to a byte boundary with zero bits and writes everything out.
    mutating func alignToByte() {
        count = (count &+ 7) & ~7
        flush()
    }

    /// Copies `bytes` verbatim (the writer must be byte-aligned).
    mutating func copy(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(count == 0, "copy needs byte alignment")
        if let source = bytes.baseAddress, !bytes.isEmpty {
            out.update(from: source, count: bytes.count)
            out += bytes.count
        }
    }

    /// Pads the last byte and returns the position after it.
    mutating func finish() -> UnsafeMutablePointer<UInt8> {
        alignToByte()
        return out
    }

    /// The block loop: every byte's code from `table` (reversed code in bits 0–15, length
    /// in bits 16–23), three codes (≤ 45 bits) per flush.
    @inline(__always)
    mutating func putCodes(_ bytes: UnsafeBufferPointer<UInt8>, _ table: UnsafePointer<UInt32>) {
        guard let p = bytes.baseAddress else { return }
        let n = bytes.count
        var i = 0
        var bits = self.bits, count = self.count, out = self.out
        while i &+ 3 <= n {
            let e0 = table[Int(p[i])], e1 = table[Int(p[i &+ 1])], e2 = table[Int(p[i &+ 2])]
            bits |= UInt64(e0 & 0xFFFF) &<< count
            count &+= UInt64(e0 &>> 16)
            bits |= UInt64(e1 & 0xFFFF) &<< count
            count &+= UInt64(e1 &>> 16)
            bits |= UInt64(e2 & 0xFFFF) &<< count
            count &+= UInt64(e2 &>> 16)
            UnsafeMutableRawPointer(out).storeBytes(of: bits.littleEndian, as: UInt64.self)
            out += Int(truncatingIfNeeded: count &>> 3)
            bits = bits &>> (count & 56)
            count &= 7
            i &+= 3
        }
        self.bits = bits; self.count = count; self.out = out
        while i < n {
            let e = table[Int(p[i])]
            put(UInt64(e & 0xFFFF), UInt64(e &>> 16))
            flush()
            i &+= 1
        }
    }
}

/// Builds and writes one block's codes; owns the scratch tables so that blocks reuse them.
struct CodeBuilder {
    /// Order in which the code-length code's lengths are sent (RFC 1951 §3.2.7).
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    /// Byte counts of the block, then the literal/length code (257 symbols: bytes and
    /// end-of-block), as table entries for `BitWriter.putCodes`.
    private var table = [UInt32](repeating: 0, count: 257)

    mutating func writeBlock(_ block: UnsafeBufferPointer<UInt8>, isFinal: Bool, to writer: inout BitWriter) {
        var frequencies = Self.countBytes(block)
        frequencies.append(1)  // end of block
        let literalLengths = Self.codeLengths(frequencies, limit: 15)
        // Two distance codes of one bit each: a complete code that is never used (some
        // decoders reject an empty distance code).
        let allLengths = literalLengths + [1, 1]
        let runs = Self.runLengthEncode(allLengths)
        var clFrequencies = [UInt32](repeating: 0, count: 19)
        for run in runs { clFrequencies[Int(run.symbol)] += 1 }
        let clLengths = Self.codeLengths(clFrequencies, limit: 7)
        var clCount = 19
        while clCount > 4 && clLengths[Self.codeLengthOrder[clCount - 1]] == 0 { clCount -= 1 }

        // Exact size of the dynamic block in bits, against a stored block's.
        var dynamicBits = 3 + 5 + 5 + 4 + 3 * clCount
        for run in runs { dynamicBits += Int(clLengths[Int(run.symbol)]) + Int(run.extraBits) }
        for symbol in 0..<257 { dynamicBits += Int(frequencies[symbol]) * Int(literalLengths[symbol]) }
        let storedBits = 3 + 7 + 32 + 8 * block.count

        let final: UInt64 = isFinal ? 1 : 0
        if dynamicBits >= storedBits {
            writer.put(final, 3)  // BFINAL, BTYPE = 00
            writer.alignToByte()
            let length = UInt64(block.count)
            writer.put(length | ((length ^ 0xFFFF) << 16), 32)
            writer.flush()
            writer.copy(block)
            return
        }

        writer.put(final | (2 << 1), 3)  // BFINAL, BTYPE = 10 (dynamic)
        writer.put(257 - 257, 5)  // HLIT
        writer.put(2 - 1, 5)  // HDIST
        writer.put(UInt64(clCount - 4), 4)  // HCLEN
        writer.flush()
        for i in 0..<clCount {
            writer.put(UInt64(clLengths[Self.codeLengthOrder[i]]), 3)
            writer.flush()
        }
        let clCodes = Self.canonicalCodes(clLengths)
        for run in runs {
            let code = clCodes[Int(run.symbol)]
            writer.put(UInt64(code & 0xFFFF), UInt64(code >> 16))
            writer.put(UInt64(run.extra), UInt64(run.extraBits))
            writer.flush()
        }
        let codes = Self.canonicalCodes(literalLengths)
        for symbol in 0..<257 { table[symbol] = codes[symbol] }
        table.withUnsafeBufferPointer { writer.putCodes(block, $0.baseAddress!) }  // count 257
        writer.put(UInt64(codes[256] & 0xFFFF), UInt64(codes[256] >> 16))
        writer.flush()
    }

    /// How often each byte value occurs (four interleaved tables, so that runs of one value
    /// do not serialise on one counter).
    static func countBytes(_ block: UnsafeBufferPointer<UInt8>) -> [UInt32] {
        var counts = [UInt32](repeating: 0, count: 4 * 256)
        counts.withUnsafeMutableBufferPointer { c in
            let t = c.baseAddress!  // count 1024
            guard let p = block.baseAddress else { return }
            let n = block.count
            var i = 0
            while i &+ 8 <= n {
                let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self).littleEndian
                t[Int(w & 0xFF)] &+= 1
                t[256 &+ Int((w &>> 8) & 0xFF)] &+= 1
                t[512 &+ Int((w &>> 16) & 0xFF)] &+= 1
                t[768 &+ Int((w &>> 24) & 0xFF)] &+= 1
                t[Int((w &>> 32) & 0xFF)] &+= 1
                t[256 &+ Int((w &>> 40) & 0xFF)] &+= 1
                t[512 &+ Int((w &>> 48) & 0xFF)] &+= 1
                t[768 &+ Int(w &>> 56)] &+= 1
                i &+= 8
            }
            while i < n {
                t[Int(p[i])] &+= 1
                i &+= 1
            }
        }
        return (0..<256).map { counts[$0] + counts[256 + $0] + counts[512 + $0] + counts[768 + $0] }
    }

    /// Huffman code lengths for `frequencies`, none longer than `limit`; symbols with
    /// frequency 0 get length 0. At least two symbols always get a code (a one-symbol code
    /// would be incomplete), so a lone used symbol is paired with an unused one. When the
    /// optimal code is too deep, the frequencies are halved (never to 0) and it is rebuilt:
    /// valid, and near-optimal for the skewed inputs where that happens.
    static func codeLengths(_ frequencies: [UInt32], limit: Int) -> [UInt8] {
        var weights = frequencies
        var used = weights.indices.filter { weights[$0] > 0 }
        var lengths = [UInt8](repeating: 0, count: weights.count)
        if used.count < 2 {
            // Pair the (at most one) used symbol with the first unused one(s).
            for s in weights.indices where used.count < 2 && weights[s] == 0 {
                weights[s] = 1
                used.append(s)
            }
            for s in used { lengths[s] = 1 }
            return lengths
        }
        while true {
            // Two-queue Huffman construction over the used symbols sorted by weight.
            let leaves = used.sorted { (weights[$0], $0) < (weights[$1], $1) }
            let n = leaves.count
            var nodeWeight = [UInt64](repeating: 0, count: 2 * n - 1)
            var parent = [Int](repeating: 0, count: 2 * n - 1)
            for (i, s) in leaves.enumerated() { nodeWeight[i] = UInt64(weights[s]) }
            var nextLeaf = 0, nextInternal = n, created = n
            func takeSmallest() -> Int {
                if nextLeaf < n && (nextInternal >= created || nodeWeight[nextLeaf] <= nodeWeight[nextInternal]) {
                    nextLeaf += 1
                    return nextLeaf - 1
                }
                nextInternal += 1
                return nextInternal - 1
            }
            while created < 2 * n - 1 {
                let a = takeSmallest(), b = takeSmallest()
                nodeWeight[created] = nodeWeight[a] + nodeWeight[b]
                parent[a] = created
                parent[b] = created
                created += 1
            }
            // Depths from the root (the last node) down; internal nodes have higher indices
            // than their children.
            var depth = [Int](repeating: 0, count: 2 * n - 1)
            for node in stride(from: 2 * n - 3, through: 0, by: -1) { depth[node] = depth[parent[node]] + 1 }
            let deepest = depth[0..<n].max() ?? 0
            if deepest <= limit {
                for (i, s) in leaves.enumerated() { lengths[s] = UInt8(depth[i]) }
                return lengths
            }
            for s in used { weights[s] = (weights[s] + 1) / 2 }
        }
    }

    /// Canonical codes (RFC 1951 §3.2.2) for `lengths`, bit-reversed for LSB-first output:
    /// reversed code in bits 0–15, length in bits 16–23.
    static func canonicalCodes(_ lengths: [UInt8]) -> [UInt32] {
        var lengthCount = [UInt32](repeating: 0, count: 16)
        for l in lengths where l > 0 { lengthCount[Int(l)] += 1 }
        var nextCode = [UInt32](repeating: 0, count: 16)
        var code: UInt32 = 0
        for bits in 1..<16 {
            code = (code + lengthCount[bits - 1]) << 1
            nextCode[bits] = code
        }
        return lengths.map { l in
            guard l > 0 else { return 0 }
            let c = nextCode[Int(l)]
            nextCode[Int(l)] += 1
            let reversed = (c.bitReversedLow(Int(l)))
            return reversed | (UInt32(l) << 16)
        }
    }

    /// One symbol of the code-length alphabet with its extra bits.
    struct Run {
        var symbol: UInt8
        var extra: UInt8
        var extraBits: UInt8
    }

    /// The code lengths as the code-length alphabet: 0–15 literally, 16 = repeat the previous
    /// length 3–6 times, 17 = 3–10 zeros, 18 = 11–138 zeros.
    static func runLengthEncode(_ lengths: [UInt8]) -> [Run] {
        var runs: [Run] = []
        var i = 0
        while i < lengths.count {
            let value = lengths[i]
            var j = i + 1
            while j < lengths.count && lengths[j] == value { j += 1 }
            var left = j - i
            if value == 0 {
                while left >= 11 {
                    let n = min(left, 138)
                    runs.append(Run(symbol: 18, extra: UInt8(n - 11), extraBits: 7))
                    left -= n
                }
                if left >= 3 {
                    runs.append(Run(symbol: 17, extra: UInt8(left - 3), extraBits: 3))
                    left = 0
                }
            } else {
                runs.append(Run(symbol: value, extra: 0, extraBits: 0))
                left -= 1
                while left >= 3 {
                    let n = min(left, 6)
                    runs.append(Run(symbol: 16, extra: UInt8(n - 3), extraBits: 2))
                    left -= n
                }
            }
            for _ in 0..<left { runs.append(Run(symbol: value, extra: 0, extraBits: 0)) }
            i = j
        }
        return runs
    }
}

extension UInt32 {
    /// The low `n` bits in reverse order (n ≤ 16).
    func bitReversedLow(_ n: Int) -> UInt32 {
        var v = self, r: UInt32 = 0
        for _ in 0..<n {
            r = (r << 1) | (v & 1)
            v >>= 1
        }
        return r
    }
}
