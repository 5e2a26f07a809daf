#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Growable float buffer for the tensor fast path that never allocates past the element
/// limit (capacity doubles, capped at the limit). Small buffers come from malloc/realloc;
/// buffers of `mappedBytes` or more are mapped pages of their own (mmap), so that they go back
/// to the system the moment the tensor has been copied out. A freed heap block that large
/// stays resident (the service raises glibc's mmap threshold to 32 MiB for its answers) and
/// raised a 100k-float request's peak memory by ~0.4 of its payload.
struct TensorStorage {
    static let mappedBytes = 256 * 1024
    let limit: Int
    var capacity: Int
    var count = 0
    var base: UnsafeMutablePointer<Float>
    /// `base` is an mmap'ed region of `capacity` floats (else a malloc block).
    var mapped = false

    /// `estimate` (a guess from the bytes left) is capped at 64 Ki elements so that many
    /// small tensors in one document do not each reserve a large block.
    init(limit: Int, estimate: Int) {
        self.limit = limit
        capacity = min(limit, max(16, min(estimate, 1 << 16)))
        base = Self.reallocate(nil, capacity: capacity)
    }

    private static func reallocate(_ old: UnsafeMutablePointer<Float>?, capacity: Int) -> UnsafeMutablePointer<Float> {
        guard let raw = realloc(old, max(capacity, 1) * MemoryLayout<Float>.stride) else {
            fatalError("out of memory allocating \(capacity) floats")
        }
        return raw.bindMemory(to: Float.self, capacity: max(capacity, 1))
    }

    /// Appends `value`; false when the limit is reached.
    @inline(__always)
    mutating func append(_ value: Float) -> Bool {
        if count == capacity {
            guard grow() else { return false }
        }
        base[count] = value
        count &+= 1
        return true
    }

    @inline(never)
    mutating func grow() -> Bool {
        guard capacity < limit else { return false }
        let newCapacity = min(limit, capacity &* 2)
        let bytes = newCapacity * MemoryLayout<Float>.stride
        #if canImport(Glibc)
        if bytes >= Self.mappedBytes {
            guard let region = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0),
                  region != MAP_FAILED
            else { fatalError("out of memory mapping \(newCapacity) floats") }
            let fresh = region.bindMemory(to: Float.self, capacity: newCapacity)
            fresh.initialize(from: base, count: count)
            deallocate()
            (base, capacity, mapped) = (fresh, newCapacity, true)
            return true
        }
        #endif
        capacity = newCapacity
        base = Self.reallocate(base, capacity: capacity)
        return true
    }

    func makeArray() -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { buffer.baseAddress!.initialize(from: base, count: count) }  // capacity count > 0
            initialized = count
        }
    }

    func deallocate() {
        #if canImport(Glibc)
        if mapped {
            munmap(base, capacity * MemoryLayout<Float>.stride)
            return
        }
        #endif
        free(base)
    }
}
