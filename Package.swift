// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "parley",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "parley", targets: ["parley"]),
        .library(name: "ParleyCore", targets: ["ParleyCore"]),
        .library(name: "ParleyEngine", targets: ["ParleyEngine"]),
        .library(name: "ParleyPipeline", targets: ["ParleyPipeline"]),
        .library(name: "ParleyServer", targets: ["ParleyServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // Domain values and pure transformations: no I/O.
        .target(name: "ParleyCore", swiftSettings: swiftSettings),
        // The media child processes: the supervised Python speech engine and its protocol, ffprobe, ffmpeg.
        .target(name: "ParleyEngine", dependencies: ["ParleyCore"], swiftSettings: swiftSettings),
        // decode → transcribe → diarize → attribute, with progress.
        .target(name: "ParleyPipeline", dependencies: ["ParleyCore", "ParleyEngine"], swiftSettings: swiftSettings),
        // The wire types server and client share, so they cannot drift.
        .target(name: "ParleyAPI", dependencies: ["ParleyCore"], swiftSettings: swiftSettings),
        // Search by meaning's int8 arithmetic, optimized in debug builds too: unoptimized
        // generic SIMD code is ~100x slower, and debug servers run the tests and benches.
        .target(
            name: "ParleyVectorMath",
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        // Persistence: SQLite through GRDB (WAL), versioned migrations, search index.
        .target(
            name: "ParleyStore",
            dependencies: [
                "ParleyCore", "ParleyAPI", "ParleyVectorMath",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Durable per-stage jobs on the store: claims, leases, retries, recovery, workers.
        .target(
            name: "ParleyQueue",
            dependencies: [
                "ParleyCore", "ParleyAPI", "ParleyStore", "ParleyEngine", "ParleyPipeline",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP API, tus uploads, audio streaming, auth, rate limits, metrics, webhooks.
        .target(
            name: "ParleyServer",
            dependencies: [
                "ParleyCore", "ParleyAPI", "ParleyStore", "ParleyQueue", "ParleyEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        // `parley worker`: claims model jobs from a server over HTTP and runs them in its own engine.
        .target(
            name: "ParleyWorker",
            dependencies: [
                "ParleyCore", "ParleyAPI", "ParleyEngine", "ParleyPipeline",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The client: local library, status machine, sync engine, reconciliation, offload.
        .target(
            name: "ParleySync",
            dependencies: [
                "ParleyCore", "ParleyAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Helpers shared by the test targets (eval data, engine location, WER).
        .target(name: "ParleyTesting", dependencies: ["ParleyCore", "ParleyEngine", "ParleyStore"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "parley",
            dependencies: [
                "ParleyCore", "ParleyAPI", "ParleyEngine", "ParleyPipeline", "ParleyStore", "ParleyServer", "ParleySync",
                "ParleyWorker",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ParleyCoreTests", dependencies: ["ParleyCore", "ParleyTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "ParleyAPITests", dependencies: ["ParleyAPI"], swiftSettings: swiftSettings),
        .testTarget(name: "ParleyEngineTests", dependencies: ["ParleyEngine", "ParleyTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ParleyPipelineTests",
            dependencies: ["ParleyPipeline", "ParleyTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ParleyStoreTests", dependencies: ["ParleyStore", "ParleyTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ParleyQueueTests", dependencies: ["ParleyQueue", "ParleyTesting"], swiftSettings: swiftSettings
        ),
        .testTarget(name: "ParleySyncTests", dependencies: ["ParleySync", "ParleyTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "ParleyCLITests", dependencies: ["ParleyCore", "ParleyTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ParleyServerTests",
            dependencies: [
                "ParleyServer", "ParleyAPI", "ParleyQueue", "ParleyStore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
