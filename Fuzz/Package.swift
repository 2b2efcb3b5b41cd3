// swift-tools-version: 6.1
// libFuzzer harnesses over wm's readers. Built and run only by tools/fuzz.sh (with -sanitize=fuzzer on every
// Swift target, so the library is instrumented too); the root package's `swift test` replays the corpus.
import PackageDescription

/// SwiftPM names a path dependency after its folder (`wm`, or a worktree's name): the folder above this one.
let rootIdentity = String(#filePath.split(separator: "/").dropLast(2).last ?? "wm").lowercased()

let package = Package(
    name: "WMFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzReaders",
            dependencies: [.product(name: "WorldModel", package: rootIdentity)]
        ),
    ]
)
