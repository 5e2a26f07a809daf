import Testing
@testable import Activations

@Test func activationsBuilds() {}
