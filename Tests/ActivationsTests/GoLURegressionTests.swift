import TestSupport
import Testing

@testable import Activations

/// The point the reliability run found: f' near its zero with α ≈ 2.7 (mpmath reference).
@Test func goluDerivativeNearItsZeroWithLargeAlpha() throws {
    let kernel = try Catalog.standard.kernel(
        "golu", params: ["alpha": .number(Double(Float(2.7154992))), "beta": .number(Double(Float(0.4091014))),
                         "gamma": .number(Double(Float(1.2050555)))])
    var d: [Float] = [0]
    [Float(-0.78674245)].withUnsafeBufferPointer { x in d.withUnsafeMutableBufferPointer { kernel.derivative(x, into: $0) } }
    #expect(meetsAccuracyRule(d[0], reference: -0.000895433985293162693466733633262231820849), "\(d[0])")
}
