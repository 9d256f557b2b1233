import Foundation
import Testing

/// Runs the built `meetlog` binary as a user does and captures what it prints.
enum CLI {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static let events = packageRoot.appendingPathComponent("events")
  static let seed = events.appendingPathComponent("2023-11-08-si-ba.ndjson").path
  static let followUps = events.appendingPathComponent("follow-ups.ndjson").path

  /// The binary built next to the test bundle.
  static let binary: URL = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("meetlog")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = dir.appendingPathComponent("meetlog")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      dir = dir.deletingLastPathComponent()
    }
    return packageRoot.appendingPathComponent(".build/debug/meetlog")
  }()

  @discardableResult
  static func run(
    _ arguments: [String], stdin: String? = nil, store: String? = nil, clock: String? = "2026-01-15T12:00:00Z",
    environment extra: [String: String] = [:]
  ) throws -> Result {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["MEETLOG_STORE"] = store
    environment["MEETLOG_CLOCK"] = clock
    environment["NO_COLOR"] = "1"
    environment.merge(extra) { _, new in new }
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
  }

  /// Runs a `/bin/sh -c` command line; returns its exit status and standard output.
  @discardableResult
  static func shell(_ command: String) throws -> (status: Int32, stdout: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  static func tempDir() -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meetlog-e2e-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }

  /// A fresh store with the seed and its follow-ups appended.
  static func seededStore() throws -> String {
    let path = tempDir().appendingPathComponent("meetlog.db").path
    let result = try run(["append", seed, followUps], store: path, clock: "2026-01-15T12:00:00Z")
    #expect(result.status == 0, "\(result.stderr)")
    return path
  }

  static func json(_ text: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
  }
}
