// swift-tools-version: 6.1
// wm: a lightweight learned world-model simulator for robotics, on the CPU.
import PackageDescription

let package = Package(
    name: "wm",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "WorldModel", targets: ["WorldModel"]),
        .executable(name: "wm", targets: ["wm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries: module maps only, nothing else.
        .systemLibrary(name: "CEigen", pkgConfig: "eigen3", providers: [.apt(["libeigen3-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CMuJoCo", providers: [.apt(["libmujoco-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // The geometry shim: C++ on Eigen behind an extern "C" header.
        .target(
            name: "CGeometry",
            dependencies: ["CEigen"],
            cxxSettings: [.define("NDEBUG", .when(configuration: .release))],
            linkerSettings: [.linkedLibrary("m"), .linkedLibrary("stdc++")]
        ),
        // MuJoCo error handling: a handler that longjmps back to the guarded call.
        .target(name: "CMuJoCoGuard", dependencies: ["CMuJoCo"], linkerSettings: [.linkedLibrary("mujoco")]),

        .target(
            name: "WorldModel",
            dependencies: ["CGeometry", "CBLAS", "CMuJoCo", "CMuJoCoGuard", "CPNG", "CZlib"],
            linkerSettings: [.linkedLibrary("m")]
        ),
        .executableTarget(
            name: "wm",
            dependencies: ["WorldModel", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // Test support: counts heap allocations per thread by defining malloc and friends (tests only).
        .target(name: "CMallocCounter"),

        .testTarget(name: "CGeometryTests", dependencies: ["CGeometry"]),
        .testTarget(name: "WorldModelTests", dependencies: ["WorldModel", "CMallocCounter"]),
    ],
    cxxLanguageStandard: .cxx17
)
