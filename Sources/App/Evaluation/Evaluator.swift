import Activations
import Dispatch
import SystemInfo

/// Runs kernels over large arrays on every core; small arrays stay on the calling thread.
enum Evaluator {
    /// Arrays at least this long are split across cores.
    static let parallelThreshold = 1 << 18

    /// Whether `forEachChunk` splits `count` elements across cores.
    static func runsInParallel(count: Int) -> Bool {
        count >= parallelThreshold && SystemInfo.coreCount > 1
    }

    /// Calls `body` on disjoint ranges covering 0..<count, in parallel for large counts (or
    /// for any count with `parallel`, on a machine with several cores).
    static func forEachChunk(count: Int, parallel: Bool = false, _ body: (Range<Int>) -> Void) {
        let cores = SystemInfo.coreCount
        guard runsInParallel(count: count) || (parallel && cores > 1 && count > 1) else {
            body(0..<count)
            return
        }
        let chunks = cores
        let size = (count + chunks - 1) / chunks
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendableBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * size
                let hi = min(count, lo + size)
                if lo < hi { box.value(lo..<hi) }
            }
        }
    }

    static func forward(_ kernel: any ActivationKernel, _ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>, parallel: Bool = false) {
        forEachChunk(count: x.count, parallel: parallel) { r in
            kernel.forward(UnsafeBufferPointer(rebasing: x[r]), into: UnsafeMutableBufferPointer(rebasing: y[r]))
        }
    }

    static func derivative(_ kernel: any ActivationKernel, _ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>, parallel: Bool = false) {
        forEachChunk(count: x.count, parallel: parallel) { r in
            kernel.derivative(UnsafeBufferPointer(rebasing: x[r]), into: UnsafeMutableBufferPointer(rebasing: y[r]))
        }
    }

    /// Floats per block of `evaluate(_:derivative:from:into:count:)`.
    static let blockSize = 4096

    /// The forward values (or derivative) of `count` floats at `src` into `dst`, where either
    /// address may be unaligned (an OIP binary tail sits right after its JSON header): block by
    /// block through stack buffers, on every core for large counts. Both sides hold native floats.
    static func evaluate(_ kernel: any ActivationKernel, derivative: Bool, from src: UnsafeRawPointer, into dst: UnsafeMutableRawPointer, count: Int) {
        forEachChunk(count: count) { r in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * blockSize) { buffer in
                let a = buffer.baseAddress!, b = a + blockSize  // capacity 2 * blockSize > 0
                var i = r.lowerBound
                while i < r.upperBound {
                    let n = min(blockSize, r.upperBound - i)
                    UnsafeMutableRawPointer(a).copyMemory(from: src + 4 * i, byteCount: 4 * n)
                    let input = UnsafeBufferPointer(start: a, count: n)
                    let output = UnsafeMutableBufferPointer(start: b, count: n)
                    if derivative { kernel.derivative(input, into: output) } else { kernel.forward(input, into: output) }
                    (dst + 4 * i).copyMemory(from: b, byteCount: 4 * n)
                    i += n
                }
            }
        }
    }

    static func forward(_ kernel: any ActivationKernel, _ x: [Float]) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { buf, n in
            x.withUnsafeBufferPointer { forward(kernel, $0, into: buf) }
            n = x.count
        }
    }

    static func forward(_ kernel: any ActivationKernel, _ x: InputTensor) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { buf, n in
            x.withUnsafeBufferPointer { forward(kernel, $0, into: buf) }
            n = x.count
        }
    }

    static func derivative(_ kernel: any ActivationKernel, _ x: InputTensor) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { buf, n in
            x.withUnsafeBufferPointer { derivative(kernel, $0, into: buf) }
            n = x.count
        }
    }

    static func derivative(_ kernel: any ActivationKernel, _ x: [Float]) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { buf, n in
            x.withUnsafeBufferPointer { derivative(kernel, $0, into: buf) }
            n = x.count
        }
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`.
/// @unchecked: the closure only writes disjoint ranges of buffers owned by the caller, and
/// `concurrentPerform` returns only after every iteration has finished.
private struct UnsafeSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
