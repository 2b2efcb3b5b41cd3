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
    // `swift build --traits Viewer` adds the GLFW viewer (`wm view`); a plain build neither compiles nor links GLFW.
    // `swift build --traits MPI` adds data-parallel `wm train` under mpirun/srun; a plain build needs no MPI.
    traits: [
        .trait(name: "Viewer", description: "The GLFW/OpenGL viewer behind `wm view`"),
        .trait(name: "MPI", description: "Data-parallel `wm train` over Open MPI (mpirun -np N, srun)"),
        .default(enabledTraits: []),
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
        // giflib 5.2 ships no pkg-config file: the module map links -lgif.
        .systemLibrary(name: "CGIF", providers: [.apt(["libgif-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CGLFW", pkgConfig: "glfw3", providers: [.apt(["libglfw3-dev", "libgl1-mesa-dev"])]),
        // Open MPI, with inline functions for its handle macros.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),

        // The geometry shim: C++ on Eigen behind an extern "C" header.
        .target(
            name: "CGeometry",
            dependencies: ["CEigen"],
            cxxSettings: [.define("NDEBUG", .when(configuration: .release))],
            linkerSettings: [.linkedLibrary("m"), .linkedLibrary("stdc++")]
        ),
        // Fused row kernels (AVX2 and baseline clones) and the persistent thread team of the inference path.
        // Optimised in debug builds too: the tests train and roll out through its product kernel, which at -O0
        // would keep every tile's sums in memory.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))],
                linkerSettings: [.linkedLibrary("pthread"), .linkedLibrary("m")]),
        // MuJoCo error handling: a handler that longjmps back to the guarded call.
        .target(name: "CMuJoCoGuard", dependencies: ["CMuJoCo"], linkerSettings: [.linkedLibrary("mujoco")]),
        // SIGINT/SIGTERM: temporary files unlinked before the process ends, or a flag for a graceful stop.
        .target(name: "CInterrupt"),

        .target(
            name: "WorldModel",
            dependencies: ["CGeometry", "CBLAS", "CKernels", "CInterrupt", "CMuJoCo", "CMuJoCoGuard", "CPNG", "CGIF", "CZlib"],
            linkerSettings: [.linkedLibrary("m")]
        ),
        // The viewer: all its sources are inside `#if Viewer` (an empty module without the trait), and GLFW is a
        // dependency only with the trait.
        .target(
            name: "WMViewer",
            dependencies: ["WorldModel", .target(name: "CGLFW", condition: .when(traits: ["Viewer"]))],
            linkerSettings: [.linkedLibrary("m")]
        ),
        // The MPI gradient reducer: its sources are inside `#if MPI`, and Open MPI is a dependency only with the trait.
        .target(name: "WMMPI", dependencies: ["WorldModel", .target(name: "CMPI", condition: .when(traits: ["MPI"]))]),
        .executableTarget(
            name: "wm",
            dependencies: [
                "WorldModel",
                .target(name: "WMViewer", condition: .when(traits: ["Viewer"])),
                .target(name: "WMMPI", condition: .when(traits: ["MPI"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The Swift runtime linked in: the CLI runs on a machine without the Swift toolchain, and a process
            // maps only the runtime it uses (peak RSS of `wm --help` 15 MB instead of 18.5 with the shared runtime).
            // FoundationEssentials' own static dependencies are not autolinked from our objects, so they are named.
            linkerSettings: [.unsafeFlags(["-static-stdlib"]), .linkedLibrary("_FoundationCollections"), .linkedLibrary("_FoundationCShims"),
                             .linkedLibrary("swiftSynchronization")]
        ),

        // An example agent over the library, for newcomers to read: `swift run -c release PushAgent MODEL SCENE`.
        .executableTarget(name: "PushAgent", dependencies: ["WorldModel"], path: "Examples/PushAgent"),

        // Test support: counts heap allocations per thread by defining malloc and friends (tests only).
        .target(name: "CMallocCounter"),

        .testTarget(name: "CGeometryTests", dependencies: ["CGeometry"]),
        // CMuJoCo: the kinematics tests compare with MuJoCo on scenes MuJoCoSimulation refuses (no free bodies).
        .testTarget(name: "WorldModelTests", dependencies: ["CMallocCounter", "WorldModel"]),
        // Data-parallel training under mpirun: runs only with the trait (`swift test --traits MPI --filter WMMPITests`).
        .testTarget(
            name: "WMMPITests",
            dependencies: ["WorldModel", .target(name: "WMMPI", condition: .when(traits: ["MPI"]))]
        ),
        .testTarget(
            name: "WMViewerTests",
            dependencies: [
                "WorldModel",
                .target(name: "WMViewer", condition: .when(traits: ["Viewer"])),
                .target(name: "CGLFW", condition: .when(traits: ["Viewer"])),
            ]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
