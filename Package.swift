// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "activation-service",
    // Linux only (x86-64 and arm64; built and tested on Debian bookworm): the transport uses
    // libmicrohttpd's epoll mode, the service reads /proc and imports Glibc. SwiftPM's
    // `platforms` list only sets minimum Apple OS versions, so there is none.
    products: [
        .executable(name: "activation-service", targets: ["ActivationService"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
    ],
    targets: [
        // MARK: - C libraries (system library targets: module map + shim header)
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // MARK: - Safe wrappers (the only code that touches C pointers)
        .target(name: "Gzip", dependencies: ["CZlib"]),
        .target(
            name: "HTTPServer",
            dependencies: ["CMicroHTTPD", "SystemInfo", .product(name: "Logging", package: "swift-log")]
        ),
        // The machine's core count, read once for every module that sizes a thread pool.
        .target(name: "SystemInfo"),

        // MARK: - Domain (no HTTP knowledge)
        .target(
            name: "Activations",
            swiftSettings: [
                // The kernels are long chains of dependent multiply-adds (exp, erfc polynomials).
                // LLVM's own interleave choice leaves one vector in flight and waits on latency;
                // four interleaved vectors measured 1.3-1.7x faster (docs/PERFORMANCE.md).
                .unsafeFlags(["-Xllvm", "-force-vector-interleave=4"], .when(configuration: .release))
            ]),
        .target(name: "Codecs"),
        .target(name: "MLP", dependencies: ["Activations"]),
        .target(name: "Training", dependencies: ["MLP", "Activations", "Codecs", "SystemInfo"]),

        // MARK: - Application wiring and executable
        .target(
            name: "App",
            dependencies: [
                "Activations", "Codecs", "Gzip", "HTTPServer", "MLP", "SystemInfo", "Training",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            plugins: ["EmbedFiles"]
        ),
        .executableTarget(
            name: "ActivationService",
            dependencies: [
                "App",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: - Build tools: openapi.yaml and web/ compiled into App at build time
        .plugin(name: "EmbedFiles", capability: .buildTool(), dependencies: ["EmbedFilesTool"]),
        .executableTarget(name: "EmbedFilesTool", path: "Plugins/EmbedFilesTool"),

        // MARK: - Benchmarks (release-mode executable; only depends on targets the service builds anyway)
        .executableTarget(
            name: "activation-bench",
            dependencies: ["Activations", "Codecs", "Gzip", "CKernelReference"],
            path: "Benchmarks/ActivationBench"
        ),
        // The vectorised C reference kernels of issue 7, compiled for the same CPU level as the
        // service (-Xcc -march from the Makefile) and timed in the same run.
        .target(
            name: "CKernelReference",
            path: "Benchmarks/CKernelReference",
            cSettings: [.unsafeFlags(["-O3", "-ffp-contract=fast"])]
        ),

        // MARK: - Tests
        // TestSupport: the reference loader, the accuracy rule, the seeded generator and small
        // kernels; linked only by the test targets.
        .target(name: "TestSupport", dependencies: ["Activations", "MLP"], path: "Tests/TestSupport"),
        .testTarget(name: "ActivationsTests", dependencies: ["Activations", "TestSupport"]),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs", "TestSupport"]),
        .testTarget(name: "GzipTests", dependencies: ["Gzip", "TestSupport"]),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: ["HTTPServer", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "MLPTests", dependencies: ["MLP", "Activations", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "MLP", "Activations", "Codecs", "TestSupport"]),
        .testTarget(
            name: "AppTests",
            dependencies: [
                "App", "Activations", "Codecs", "Gzip", "HTTPServer", "SystemInfo", "Training", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)
