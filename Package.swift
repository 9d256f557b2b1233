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
    .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
    // SHA-256 from the system's OpenSSL: swift-crypto would link all of Foundation, which
    // costs every `meetlog append` process milliseconds of start-up.
    .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
    .target(
      name: "MeetlogKit",
      dependencies: [
        "CSQLite",
        "CZstd",
        "CCrypto",
      ],
      swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]
    ),
    .executableTarget(
      name: "meetlog",
      dependencies: [
        "MeetlogKit",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
