import Testing

@testable import HTTPServer

@Suite struct BodyAccumulatorTests {
    func append(_ accumulator: inout BodyAccumulator, _ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { accumulator.append($0) }
    }

    @Test func reservesTheDeclaredLengthWithinTheLimit() {
        let within = BodyAccumulator(limit: 1000, declaredLength: 600)
        #expect(within.bytes.capacity >= 600)
        let over = BodyAccumulator(limit: 1000, declaredLength: 5000)
        #expect(over.bytes.capacity < 5000)
    }

    @Test func collectsChunksAndMovesThemOut() {
        var accumulator = BodyAccumulator(limit: 10, declaredLength: nil)
        append(&accumulator, [1, 2, 3])
        append(&accumulator, [4, 5])
        #expect(!accumulator.isTooLarge)
        #expect(accumulator.take() == [1, 2, 3, 4, 5])
        #expect(accumulator.bytes.isEmpty)
    }

    @Test func exactlyAtTheLimitIsAccepted() {
        var accumulator = BodyAccumulator(limit: 4, declaredLength: nil)
        append(&accumulator, [1, 2, 3, 4])
        #expect(!accumulator.isTooLarge)
        append(&accumulator, [5])
        #expect(accumulator.isTooLarge)
        #expect(accumulator.bytes.isEmpty && accumulator.bytes.capacity == 0)  // dropped, not kept
        append(&accumulator, [6, 7])
        #expect(accumulator.received == 7)
    }
}

@Suite struct BindAddressTests {
    @Test func parsesHosts() throws {
        #expect(try BindAddress(host: "0.0.0.0") == .ipv4([0, 0, 0, 0]))
        #expect(try BindAddress(host: "127.0.0.1") == .ipv4([127, 0, 0, 1]))
        #expect(try BindAddress(host: " localhost ") == .ipv4([127, 0, 0, 1]))
        #expect(try BindAddress(host: "10.1.2.3") == .ipv4([10, 1, 2, 3]))
        #expect(try BindAddress(host: "::").isDualStackAny)
        #expect(try BindAddress(host: "[::1]") == .ipv6([UInt8](repeating: 0, count: 15) + [1]))
        #expect(try !BindAddress(host: "::1").isDualStackAny)
    }

    @Test(arguments: ["", "example.com", "256.1.1.1", "1.2.3", ":::", "[::1"])
    func rejectsNonLiterals(host: String) {
        #expect { try BindAddress(host: host) } throws: { ($0 as? HTTPServerError)?.code == .invalidHost }
    }
}
