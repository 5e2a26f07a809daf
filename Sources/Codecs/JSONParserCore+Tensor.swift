#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The tensor fast path of JSONParser: numeric arrays straight into packed float32.
extension JSONParserCore {
    /// If the array at `pos` is numeric (see `JSONParser`), parses it into a tensor and
    /// returns it; otherwise returns nil with `pos` unchanged.
    mutating func parseTensorIfNumeric() throws(CodecError) -> Tensor? {
        // Find the first leaf, counting the '[' that lead to it.
        var j = pos
        var rank = 0
        while j < count {
            let c = byte(j)
            if c == ASCII.openBracket {
                rank &+= 1
                if stack.count + rank > limits.maxDepth { throw tooDeep(at: j) }
            } else if !Self.isWhitespace(c) {
                break
            }
            j &+= 1
        }
        guard j < count else { throw unexpectedEnd() }
        let leaf = byte(j)
        let emptyStart: Bool
        switch leaf {
        case ASCII.minus, ASCII.zero...ASCII.nine:
            emptyStart = false
        case ASCII.closeBracket:
            guard rank >= 2 else { return nil }
            emptyStart = true
        case ASCII.quote:
            guard nonFiniteString(at: j) != nil else { return nil }
            emptyStart = false
        default:
            return nil
        }
        let start = pos
        do {
            return try parseTensor(rank: rank)
        } catch let error where emptyStart && error.code == .wrongType {
            // `[[], "a"]` and the like: no numeric leaf was seen, so this is an ordinary array.
            pos = start
            return nil
        }
    }

    /// The value of the string "NaN", "Infinity" or "-Infinity" starting at the quote at
    /// `offset` (escapes allowed), or nil for any other (or invalid) string.
    func nonFiniteString(at offset: Int) -> (value: Float, end: Int)? {
        let rest = count - offset
        // Fast check of the unescaped spellings.
        @inline(__always) func matches(_ literal: StaticString) -> Bool {
            let n = literal.utf8CodeUnitCount
            guard rest >= n else { return false }
            let p = literal.utf8Start
            for i in 0..<n where byte(offset + i) != p[i] { return false }
            return true
        }
        if matches("\"NaN\"") { return (.nan, offset + 5) }
        if matches("\"Infinity\"") { return (.infinity, offset + 10) }
        if matches("\"-Infinity\"") { return (-.infinity, offset + 11) }
        // Escaped spellings (rare): decode the string properly.
        var probe = self
        probe.pos = offset
        guard let s = try? probe.parseString() else { return nil }
        switch s {
        case "NaN": return (.nan, probe.pos)
        case "Infinity": return (.infinity, probe.pos)
        case "-Infinity": return (-.infinity, probe.pos)
        default: return nil
        }
    }

    /// Parses a rectangular array of rank `rank` starting at the '[' at `pos`.
    mutating func parseTensor(rank: Int) throws(CodecError) -> Tensor {
        var dims = [Int](repeating: -1, count: rank)      // length of every array at each level, once known
        var indices = [Int](repeating: 0, count: rank)    // index of the current element at each level
        let leafLevel = rank - 1
        var storage = TensorStorage(limit: max(0, limits.maxElements), estimate: (count - pos) / 8)
        defer { storage.deallocate() }

        // Step over the leading '[' (and the white space between them) that the caller scanned.
        for _ in 0..<rank {
            skipWhitespace()
            pos &+= 1
        }
        skipWhitespace()
        var level = leafLevel
        var afterOpen = true  // just after '[' (so ']' may follow at once)
        loop: while true {
            guard pos < count else { throw unexpectedEnd() }
            if !(afterOpen && byte(pos) == ASCII.closeBracket) {
                if level == leafLevel {
                    // The hot loop: one row of leaves, local state only.
                    let limit = dims[level] < 0 ? Int.max : dims[level]
                    var k = 0
                    while true {
                        if k >= limit {
                            indices[level] = k
                            throw raggedRow(level: level, indices: indices, detail: "has more than \(limit) elements")
                        }
                        let c = byte(pos)
                        let value: Float
                        if c == ASCII.minus || Self.isDigit(c) {
                            let number = try scanNumber()
                            guard let f = DecimalParsing.float(number, in: base) else {
                                indices[level] = k
                                throw outOfFloatRange(indices: indices, offset: number.start)
                            }
                            value = f
                        } else if c == ASCII.quote, let special = nonFiniteString(at: pos) {
                            value = special.value
                            pos = special.end
                        } else {
                            indices[level] = k
                            throw unexpectedInTensor(c, expected: "a number", indices: indices, depth: level)
                        }
                        guard storage.append(value) else {
                            throw CodecError(.tooManyElements, "array has more than \(limits.maxElements) elements (the limit)",
                                             pointer: currentPointer(), offset: pos)
                        }
                        k &+= 1
                        if pos < count && byte(pos) == ASCII.comma {
                            pos &+= 1
                            skipWhitespace()
                            guard pos < count else { throw unexpectedEnd() }
                            continue
                        }
                        skipWhitespace()
                        guard pos < count else { throw unexpectedEnd() }
                        let next = byte(pos)
                        if next == ASCII.comma {
                            pos &+= 1
                            skipWhitespace()
                            guard pos < count else { throw unexpectedEnd() }
                            continue
                        }
                        guard next == ASCII.closeBracket else { throw syntax("expected ',' or ']'") }
                        break
                    }
                    indices[level] = k
                } else {
                    if dims[level] >= 0 && indices[level] >= dims[level] {
                        throw raggedRow(level: level, indices: indices, detail: "has more than \(dims[level]) elements")
                    }
                    let c = byte(pos)
                    guard c == ASCII.openBracket else {
                        throw unexpectedInTensor(c, expected: "an array", indices: indices, depth: level)
                    }
                    pos &+= 1
                    level &+= 1
                    indices[level] = 0
                    skipWhitespace()
                    afterOpen = true
                    continue loop
                }
            }
            // Close the array at `level` (pos is at its ']'), and every parent that ends here.
            while true {
                pos &+= 1
                if dims[level] < 0 {
                    dims[level] = indices[level]
                } else if indices[level] != dims[level] {
                    throw raggedRow(level: level, indices: indices, detail: "has \(indices[level]) elements, expected \(dims[level])")
                }
                if level == 0 { break loop }
                level &-= 1
                indices[level] &+= 1
                skipWhitespace()
                guard pos < count else { throw unexpectedEnd() }
                let c = byte(pos)
                if c == ASCII.comma {
                    pos &+= 1
                    skipWhitespace()
                    afterOpen = false
                    continue loop
                }
                guard c == ASCII.closeBracket else { throw syntax("expected ',' or ']'") }
            }
        }
        return Tensor(shape: dims, values: storage.makeArray())
    }

    /// JSON pointer of the tensor element at `indices[0...depth]`.
    @inline(never)
    func tensorPointer(_ indices: [Int], depth: Int) -> String {
        var out = currentPointer()
        for k in 0..<depth { out += "/\(indices[k])" }
        return out
    }

    @inline(never)
    func raggedRow(level: Int, indices: [Int], detail: String) -> CodecError {
        let pointer = tensorPointer(indices, depth: level)
        return CodecError(.ragged, "ragged array: row \(pointer.isEmpty ? "/" : pointer) \(detail)", pointer: pointer, offset: pos)
    }

    @inline(never)
    func outOfFloatRange(indices: [Int], offset: Int) -> CodecError {
        let pointer = tensorPointer(indices, depth: indices.count)
        return CodecError(.wrongType, "number at \(pointer) is out of float32 range", pointer: pointer, offset: offset)
    }

    @inline(never)
    func unexpectedInTensor(_ c: UInt8, expected: String, indices: [Int], depth: Int) -> CodecError {
        switch c {
        case ASCII.quote, ASCII.openBracket, ASCII.openBrace, ASCII.minus, ASCII.zero...ASCII.nine,
             UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let pointer = tensorPointer(indices, depth: depth + 1)
            let found = c == ASCII.quote ? "a string other than \"NaN\", \"Infinity\", \"-Infinity\"" : describe(c)
            return CodecError(.wrongType, "expected \(expected) at \(pointer), found \(found)", pointer: pointer, offset: pos)
        default:
            return syntax("unexpected character '\(Self.printable(c))'")
        }
    }
}
