// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "meetlog",
  products: [
    .executable(name: "meetlog", targets: ["meetlog"]),
    .library(name: "MeetlogKit", targets: ["MeetlogKit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
  ],
  targets: [
    // The system's SQLite, zstd and OpenSSL, linked statically: each module map links
    // the archive (`link ":libsqlite3.a"`), and no pkg-config entry adds the shared
    // library. Loading and relocating the three shared libraries cost every process
    // about 2 ms (a script appending one event per process: 18.5 -> 16.1 ms), and zstd's
    // dictionary and frame-header functions are only promised to static linking.
    .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
    // SHA-256 from the system's OpenSSL: swift-crypto would link all of Foundation, which
    // costs every `meetlog append` process milliseconds of start-up.
    .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),
    // glibc's mallopt (ProcessMemory).
    .systemLibrary(name: "CMalloc"),
    .target(
      name: "MeetlogKit",
      dependencies: [
        "CSQLite",
        "CZstd",
        "CCrypto",
        "CMalloc",
      ],
      swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]
    ),
    // A release `meetlog` is one static executable (glibc included): no dynamic loader,
    // no libstdc++ to map and relocate, no position-independent relocations to apply.
    // Scripts start one process per event; its start fell from 3.4 to 1.9 ms (`meetlog
    // --version`, docs/benchmarks.md). Debug builds (the tests) stay dynamic. The two
    // libraries are what the static FoundationEssentials (through ArgumentParser) needs
    // when the build is not given `--static-swift-stdlib`, which adds them itself.
    .executableTarget(
      name: "meetlog",
      dependencies: [
        "MeetlogKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      linkerSettings: [
        .unsafeFlags(["-static-executable"], .when(configuration: .release)),
        .linkedLibrary("_FoundationCollections", .when(configuration: .release)),
        .linkedLibrary("_FoundationCShims", .when(configuration: .release)),
      ]
    ),
    .executableTarget(
      name: "meetlog-bench",
      dependencies: ["MeetlogKit"],
      swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]
    ),
    .testTarget(name: "MeetlogKitTests", dependencies: ["MeetlogKit", "CSQLite"]),
    .testTarget(name: "MeetlogCLITests", dependencies: ["MeetlogKit", "meetlog"], exclude: ["BadInputs"]),
  ]
)

// libFuzzer targets, built only by tools/fuzz (MEETLOG_FUZZ=1): they have no main of
// their own and link only with --sanitize=fuzzer.
if Context.environment["MEETLOG_FUZZ"] == "1" {
  package.targets += [
    .executableTarget(name: "FuzzAppendInput", dependencies: ["MeetlogKit"], path: "Fuzz/AppendInput"),
    .executableTarget(name: "FuzzStoredPayload", dependencies: ["MeetlogKit"], path: "Fuzz/StoredPayload"),
  ]
  package.products += [
    .executable(name: "FuzzAppendInput", targets: ["FuzzAppendInput"]),
    .executable(name: "FuzzStoredPayload", targets: ["FuzzStoredPayload"]),
  ]
}
