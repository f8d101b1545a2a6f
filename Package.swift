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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // Domain values and pure transformations: no I/O.
        .target(name: "ParleyCore", swiftSettings: swiftSettings),
        // The supervised Python speech-engine process and its wire protocol.
        .target(name: "ParleyEngine", dependencies: ["ParleyCore"], swiftSettings: swiftSettings),
        // decode → transcribe → diarize → attribute, with progress.
        .target(name: "ParleyPipeline", dependencies: ["ParleyCore", "ParleyEngine"], swiftSettings: swiftSettings),
        // Helpers shared by the test targets (eval data, engine location, WER).
        .target(name: "ParleyTesting", dependencies: ["ParleyCore", "ParleyEngine"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "parley",
            dependencies: [
                "ParleyCore", "ParleyEngine", "ParleyPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ParleyCoreTests", dependencies: ["ParleyCore", "ParleyTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "ParleyEngineTests", dependencies: ["ParleyEngine", "ParleyTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ParleyPipelineTests",
            dependencies: ["ParleyPipeline", "ParleyTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ParleyCLITests", dependencies: ["ParleyCore", "ParleyTesting"], swiftSettings: swiftSettings),
    ]
)
