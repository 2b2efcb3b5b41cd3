// swift-tools-version: 6.1
// Benchmarks for wm, kept in their own package so the root `swift build` / `swift test` never build
// ordo-one/benchmark. Run from this folder: `swift package benchmark` (add `--target MLPBenchmarks`).
import PackageDescription

let package = Package(
    name: "wm-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        // Named, so the product reference below works whatever the checkout folder is called.
        .package(name: "wm", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "MLPBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "WorldModel", package: "wm"),
            ],
            path: "Benchmarks/MLPBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
