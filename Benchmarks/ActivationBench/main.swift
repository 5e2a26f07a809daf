// activation-bench: release-mode micro-benchmarks of the element-wise kernels, the JSON float
// array parser and printer, and gzip of JSON text. Medians of repeated runs; every figure is
// printed next to its reference figure (docs/PERFORMANCE.md) so ratios can be read off one run.
//
//   swift run -c release activation-bench [--quick] [--only kernels|codecs|gzip]
import Activations
import CKernelReference
import Codecs
import Dispatch
import Gzip

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Options

struct Options {
    var quick = false
    var only: String? = nil

    static func parse() -> Options {
        var o = Options()
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let a = arguments.next() {
            switch a {
            case "--quick": o.quick = true
            case "--only": o.only = arguments.next()
            default:
                print("usage: activation-bench [--quick] [--only kernels|codecs|gzip]")
                exit(2)
            }
        }
        return o
    }

    func enabled(_ section: String) -> Bool { only == nil || only == section }
}

// MARK: - Timing

/// Median seconds of `repeats` runs of `body` (after one warm-up run).
func medianSeconds(repeats: Int, _ body: () -> Void) -> Double {
    body()
    var samples: [Double] = []
    samples.reserveCapacity(repeats)
    for _ in 0..<repeats {
        let t0 = ContinuousClock.now
        body()
        let d = ContinuousClock.now - t0
        samples.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }
    samples.sort()
    return samples[samples.count / 2]
}

/// Deterministic pseudo-random float32 values, roughly N(0, scale²) (sum of uniforms).
func sampleValues(_ n: Int, scale: Float = 3, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [Float] {
    var s = seed
    func next() -> Float {
        s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(s >> 40) / Float(1 << 24)
    }
    return (0..<n).map { _ in (next() + next() + next() + next() - 2) * scale * 1.7 }
}

func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
func lpad(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
func fmt(_ v: Double, _ digits: Int = 2) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (v * p).rounded() / p
    var t = "\(r)"
    if let dot = t.firstIndex(of: ".") {
        let decimals = t.distance(from: dot, to: t.endIndex) - 1
        if decimals < digits { t += String(repeating: "0", count: digits - decimals) }
    } else if digits > 0 {
        t += "." + String(repeating: "0", count: digits)
    }
    return t
}

/// Splits 0..<count over `threads` threads (the service's Evaluator does the same for ≥ 256K).
func parallel(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    if threads <= 1 { body(0..<count); return }
    let size = (count + threads - 1) / threads
    withoutActuallyEscaping(body) { body in
        let box = SendableBox(body)
        DispatchQueue.concurrentPerform(iterations: threads) { c in
            let lo = c * size, hi = min(count, lo + size)
            if lo < hi { box.value(lo..<hi) }
        }
    }
}

/// @unchecked: each iteration writes a disjoint range, and `concurrentPerform` returns only
/// after every iteration has finished.
struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

// MARK: - Kernels

/// Median seconds of `a` and of `b`, measured alternately (a, b, a, b, ...) after one warm-up
/// each, so that a change in machine load affects both alike and their ratio stays meaningful.
func interleavedMedianSeconds(repeats: Int, _ a: () -> Void, _ b: () -> Void) -> (Double, Double) {
    a()
    b()
    var samplesA: [Double] = [], samplesB: [Double] = []
    func time(_ body: () -> Void) -> Double {
        let t0 = ContinuousClock.now
        body()
        let d = ContinuousClock.now - t0
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
    for _ in 0..<repeats {
        samplesA.append(time(a))
        samplesB.append(time(b))
    }
    samplesA.sort()
    samplesB.sort()
    return (samplesA[repeats / 2], samplesB[repeats / 2])
}

/// Reference figures of docs/PERFORMANCE.md (elements/s): numpy one thread, JAX jit one core; and the
/// vectorised C reference kernel (Benchmarks/CKernelReference), timed in the same run.
struct KernelCase {
    let label: String
    let name: String
    let params: [String: ParameterValue]
    let numpyForward: Double?
    let numpyDerivative: Double?
    let jaxForward: Double?
    let jaxDerivative: Double?
    let cForward: (@convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void)?
}

let kernelCases: [KernelCase] = [
    KernelCase(label: "golu", name: "golu", params: [:], numpyForward: 758e6, numpyDerivative: 187e6,
               jaxForward: 844e6, jaxDerivative: 812e6, cForward: ckref_golu),
    // Non-default GoLU parameters take the float64-exponent path (the defaults' v is exact in float32).
    KernelCase(label: "golu(β=0.5)", name: "golu", params: ["beta": .number(0.5)],
               numpyForward: nil, numpyDerivative: nil, jaxForward: nil, jaxDerivative: nil, cForward: nil),
    KernelCase(label: "silu", name: "silu", params: [:], numpyForward: 1.07e9, numpyDerivative: nil,
               jaxForward: 2.02e9, jaxDerivative: nil, cForward: ckref_silu),
    KernelCase(label: "sqish", name: "sqish", params: [:], numpyForward: nil, numpyDerivative: nil,
               jaxForward: nil, jaxDerivative: nil, cForward: nil),
    KernelCase(label: "gelu(none)", name: "gelu", params: ["approximate": .string("none")], numpyForward: 52e6,
               numpyDerivative: nil, jaxForward: nil, jaxDerivative: nil, cForward: nil),
    KernelCase(label: "gelu(tanh)", name: "gelu", params: ["approximate": .string("tanh")], numpyForward: nil,
               numpyDerivative: nil, jaxForward: 1.70e9, jaxDerivative: nil, cForward: ckref_gelu_tanh),
    KernelCase(label: "gelu(sigmoid)", name: "gelu", params: ["approximate": .string("sigmoid")],
               numpyForward: nil, numpyDerivative: nil, jaxForward: nil, jaxDerivative: nil, cForward: nil),
]

func runKernels(quick: Bool) {
    let sizes = quick ? [1 << 20] : [1 << 20, 1 << 24]
    print("== kernels (float32, elements/s; target: forward ≥ 1.0 G/s, derivative ≥ 0.8 G/s on one thread)")
    print(pad("kernel", 15) + pad("op", 11) + lpad("n", 9) + lpad("1 thread", 12) + lpad("\(cores) threads", 12)
          + lpad("target", 8) + "  ratios (reference figures)")
    for size in sizes {
        let x = sampleValues(size)
        var y = [Float](repeating: 0, count: size)
        for c in kernelCases {
            let kernel: any ActivationKernel
            do { kernel = try Catalog.standard.kernel(c.name, params: c.params) } catch {
                print("\(c.label): \(error)")
                continue
            }
            for op in ["forward", "derivative"] {
                let repeats = quick ? 5 : (size > 1 << 20 ? 5 : 15)
                func run(_ threads: Int) -> Double {
                    x.withUnsafeBufferPointer { xs in
                        y.withUnsafeMutableBufferPointer { ys in
                            medianSeconds(repeats: repeats) {
                                parallel(size, threads: threads) { r in
                                    let xr = UnsafeBufferPointer(rebasing: xs[r])
                                    let yr = UnsafeMutableBufferPointer(rebasing: ys[r])
                                    if op == "forward" { kernel.forward(xr, into: yr) } else { kernel.derivative(xr, into: yr) }
                                }
                            }
                        }
                    }
                }
                let many = cores > 1 ? Double(size) / run(cores) : Double(size) / run(1)
                // One thread, timed alternately with the C reference where there is one.
                var one = 0.0
                var cRate: Double? = nil
                x.withUnsafeBufferPointer { xs in
                    y.withUnsafeMutableBufferPointer { ys in
                        let ours = {
                            if op == "forward" { kernel.forward(xs, into: ys) } else { kernel.derivative(xs, into: ys) }
                        }
                        if op == "forward", let cKernel = c.cForward {
                            let (a, b) = interleavedMedianSeconds(repeats: repeats * 2 + 1, ours) {
                                cKernel(xs.baseAddress, ys.baseAddress, size)
                            }
                            one = Double(size) / a
                            cRate = Double(size) / b
                        } else {
                            one = Double(size) / medianSeconds(repeats: repeats, ours)
                        }
                    }
                }
                let target = op == "forward" ? 1.0e9 : 0.8e9
                var notes: [String] = []
                let numpy = op == "forward" ? c.numpyForward : c.numpyDerivative
                let jax = op == "forward" ? c.jaxForward : c.jaxDerivative
                if let numpy { notes.append("\(fmt(one / numpy))× numpy") }
                if let jax { notes.append("\(fmt(one / jax))× jax") }
                if let cRate {
                    notes.append("C ref \(fmt(cRate / 1e9, 3)) G: C/ours \(fmt(cRate / one))× (target ≤ 1.3)")
                }
                print(pad(c.label, 15) + pad(op, 11) + lpad(size >= 1 << 24 ? "16M" : "1M", 9)
                      + lpad("\(fmt(one / 1e9, 3)) G", 12) + lpad("\(fmt(many / 1e9, 3)) G", 12)
                      + lpad(one >= target ? "met" : "MISS", 8) + "  " + notes.joined(separator: ", "))
            }
        }
    }
}

// MARK: - Codecs

func jsonArray(_ values: [Float]) -> [UInt8] {
    var w = JSONWriter(reservingCapacity: values.count * 12)
    values.withUnsafeBufferPointer { w.writeFlatArray($0) }
    return w.bytes
}

func runCodecs(quick: Bool) {
    print("== JSON float arrays (floats/s; target ≥ 40 M/s each; orjson parse 19.7 M, print 36 M)")
    print(pad("payload", 22) + lpad("parse", 12) + lpad("print", 12) + lpad("MB/s in", 10) + "  ratios")
    for (label, n, scale) in [("8 floats", 8, Float(3)), ("1,000 floats", 1000, 3), ("100,000 floats", 100_000, 3),
                              ("1M floats", 1 << 20, 3), ("100,000 tiny (1e-30)", 100_000, 1e-30)] {
        let values = sampleValues(n, scale: scale)
        let text = jsonArray(values)
        let body = Array("{\"x\":".utf8) + text + Array("}".utf8)
        let repeats = n <= 1000 ? 2001 : (quick ? 5 : 21)
        let inner = n <= 1000 ? 200 : 1
        let parse = body.withUnsafeBytes { raw in
            medianSeconds(repeats: repeats / inner + 1) {
                for _ in 0..<inner {
                    do {
                        let v = try JSONParser.parse(raw)
                        precondition(v["x"] != nil)
                    } catch { fatalError("\(error)") }
                }
            }
        } / Double(inner)
        let print_ = values.withUnsafeBufferPointer { buf in
            medianSeconds(repeats: repeats / inner + 1) {
                for _ in 0..<inner {
                    var w = JSONWriter(reservingCapacity: n * 14 + 16)
                    w.writeFlatArray(buf)
                    precondition(w.bytes.count > 1)
                }
            }
        } / Double(inner)
        let pRate = Double(n) / parse, wRate = Double(n) / print_
        print(pad(label, 22) + lpad("\(fmt(pRate / 1e6, 1)) M", 12) + lpad("\(fmt(wRate / 1e6, 1)) M", 12)
              + lpad(fmt(Double(body.count) / parse / 1e6, 0), 10)
              + "  parse \(fmt(pRate / 19.7e6))× orjson, print \(fmt(wRate / 36e6))× orjson"
              + (n >= 100_000 ? (pRate >= 40e6 && wRate >= 40e6 ? "  [met]" : "  [MISS]") : ""))
    }
}

// MARK: - gzip

func runGzip(quick: Bool) {
    print("== gzip of JSON text (100,000-float answer; zlib reference: level 1 106 MB/s, level 6 13 MB/s)")
    print("   huff = this module's Huffman-only encoder, z-huff = zlib's Z_HUFFMAN_ONLY")
    let text = jsonArray(sampleValues(100_000))
    let binary: [UInt8] = sampleValues(100_000).withUnsafeBytes { Array($0) }
    print(pad("input", 26) + pad("level", 7) + lpad("MB/s", 9) + lpad("ratio", 8) + lpad("ms", 8))
    for (label, input) in [("JSON \(text.count / 1000) kB", text), ("raw float32 \(binary.count / 1000) kB", binary)] {
        for (level, strategy) in [(1, CompressionStrategy.standard), (1, .huffmanOnly), (1, .zlibHuffmanOnly), (6, .standard)] {
            var out: [UInt8] = []
            let t = medianSeconds(repeats: quick ? 3 : 9) {
                do { out = try Gzip.compress(input, coding: .gzip, level: level, strategy: strategy) } catch { fatalError("\(error)") }
            }
            let name = strategy == .huffmanOnly ? "huff" : strategy == .zlibHuffmanOnly ? "z-huff" : "\(level)"
            print(pad(label, 26) + pad(name, 7) + lpad(fmt(Double(input.count) / t / 1e6, 1), 9)
                  + lpad(fmt(Double(out.count) / Double(input.count)), 8) + lpad(fmt(t * 1e3), 8))
        }
    }
    let packed = (try? Gzip.compress(text, coding: .gzip, level: 1)) ?? []
    let t = medianSeconds(repeats: quick ? 3 : 9) {
        do { _ = try Gzip.decompress(packed, coding: .gzip, maxOutputBytes: 1 << 30) } catch { fatalError("\(error)") }
    }
    print(pad("inflate JSON", 26) + pad("-", 7) + lpad(fmt(Double(text.count) / t / 1e6, 1), 9) + lpad("", 8)
          + lpad(fmt(t * 1e3), 8))
}

let options = Options.parse()
print("activation-bench: \(cores) cores\(options.quick ? ", quick" : "")")
if options.enabled("kernels") { runKernels(quick: options.quick) }
if options.enabled("codecs") { runCodecs(quick: options.quick) }
if options.enabled("gzip") { runGzip(quick: options.quick) }
