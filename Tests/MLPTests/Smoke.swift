import Testing
@testable import MLP

@Test func mlpBuilds() {}
