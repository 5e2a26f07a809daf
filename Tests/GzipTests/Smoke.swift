import Testing
@testable import Gzip

@Test func gzipBuilds() {}
