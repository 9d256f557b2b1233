import Foundation
import Testing

/// Every bad input the SPEC names: the exact exit code, a message naming file, line and
/// field, and a store left byte for byte as it was.
@Suite struct ErrorTests {
  /// One file of `BadInputs/` with what `expected.tsv` says of it.
  struct Case: CustomStringConvertible, Sendable {
    var file: String
    var exitCode: Int32
    var expected: String  // what stderr says right after the file's path
    var description: String { file }
  }

  static let corpus = CLI.packageRoot.appendingPathComponent("Tests/MeetlogCLITests/BadInputs")

  static let cases: [Case] = {
    let table = try! String(contentsOf: corpus.appendingPathComponent("expected.tsv"), encoding: .utf8)
    return table.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
      let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
      return Case(file: fields[0], exitCode: Int32(fields[1])!, expected: fields[2])
    }
  }()

  static let p = #"{"name":"Boštjan Poklukar","country":"SI"}"#
  static let n = #"{"name":"Nenad Nešić","country":"BA"}"#

  /// Appends `path` to a seeded store and checks exit code, message and an unchanged store.
  func expectRejected(_ path: String, exitCode: Int32, message: String) throws {
    let store = try CLI.seededStore()
    let before = FileManager.default.contents(atPath: store)
    let result = try CLI.run(["append", path], store: store)
    #expect(result.status == exitCode, "\(result.stderr)")
    #expect(result.stderr.hasPrefix("meetlog: " + path + message), "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(FileManager.default.contents(atPath: store) == before)
    #expect(!FileManager.default.fileExists(atPath: store + "-wal"))
  }

  @Test func theCorpusHasAtLeastFortyFilesAllListed() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { $0.hasSuffix(".ndjson") }
    #expect(files.count >= 40)
    #expect(Set(files) == Set(Self.cases.map(\.file)))
  }

  @Test(arguments: cases)
  func badInputIsRejectedAndLeavesTheStoreAsItWas(_ c: Case) throws {
    try expectRejected(Self.corpus.appendingPathComponent(c.file).path, exitCode: c.exitCode, message: c.expected)
  }

  @Test func aHundredMegabyteLineIsRejected() throws {
    let file = CLI.tempDir().appendingPathComponent("huge.ndjson")
    let text = String(repeating: "a", count: 100 << 20)
    let line = #"{"type":"statement.made","occurred_at":"2023-11-09","data":{"speaker":\#(Self.p),"text":"\#(text)"}}"#
    try Data(line.utf8).write(to: file)
    try expectRejected(
      file.path, exitCode: 65, message: ":1: the line is \(line.utf8.count) bytes long: an event may be at most 1048576 bytes")
  }

  @Test func aRejectedFirstAppendCreatesNoStore() throws {
    let path = CLI.tempDir().appendingPathComponent("never.db").path
    let result = try CLI.run(
      ["append"], stdin: #"{"type":"statement.made","occurred_at":"2023-11-08","data":{"speaker":\#(Self.p),"text":"t","meeting":"nope"}}"#,
      store: path)
    #expect(result.status == 65)
    #expect(result.stderr.contains("<stdin>:1: data.meeting"))
    #expect(!FileManager.default.fileExists(atPath: path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent).isEmpty)
  }

  @Test func expectSeqMismatchExits75() throws {
    let store = try CLI.seededStore()
    let before = FileManager.default.contents(atPath: store)
    let line = #"{"type":"thanks.expressed","occurred_at":"2023-11-09","data":{"from":\#(Self.n),"to":"SI","for":"x"}}"#
    let result = try CLI.run(["append", "--expect-seq", "24"], stdin: line, store: store)
    #expect(result.status == 75)
    #expect(result.stderr.contains("--expect-seq 24"))
    #expect(FileManager.default.contents(atPath: store) == before)
    #expect(try CLI.run(["append", "--expect-seq", "25"], stdin: line, store: store).status == 0)
  }

  @Test func missingStoreAndInputFileExit66() throws {
    let missing = CLI.tempDir().appendingPathComponent("none.db").path
    #expect(try CLI.run(["state"], store: missing).status == 66)
    #expect(try CLI.run(["verify"], store: missing).status == 66)
    let store = try CLI.seededStore()
    let result = try CLI.run(["append", "/nonexistent/events.ndjson"], store: store)
    #expect(result.status == 66)
    #expect(result.stderr.contains("/nonexistent/events.ndjson"))
  }

  @Test func wrongUsageExits2() throws {
    let store = try CLI.seededStore()
    #expect(try CLI.run(["state", "--as-of", "yesterday"], store: store).status == 2)
    #expect(try CLI.run(["state", "--bogus"], store: store).status == 2)
    #expect(try CLI.run(["log", "--type", "meeting"], store: store).status == 2)
    #expect(try CLI.run(["frobnicate"], store: store).status == 2)
    #expect(try CLI.run(["--help"], store: store).status == 0)
  }

  @Test func verifyNamesTheFirstBadSeqAndExits1() throws {
    let store = try CLI.seededStore()
    let sqlite = Process()
    sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    sqlite.arguments = [store, "UPDATE events SET occurred_us = occurred_us + 86400000000 WHERE seq = 7;"]
    try sqlite.run()
    sqlite.waitUntilExit()
    let result = try CLI.run(["verify"], store: store)
    #expect(result.status == 1)
    #expect(result.stdout.contains("first bad seq 7"))
  }

  @Test func importRefusesANonEmptyStore() throws {
    let store = try CLI.seededStore()
    let export = try CLI.run(["export"], store: store).stdout
    let result = try CLI.run(["import"], stdin: export, store: store)
    #expect(result.status == 65)
  }
}
