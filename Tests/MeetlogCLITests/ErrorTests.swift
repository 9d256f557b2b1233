import Foundation
import Testing

/// Every bad input the SPEC names: the exact exit code, a message naming file, line and
/// field, and a store left byte for byte as it was.
@Suite struct ErrorTests {
  struct Case: CustomStringConvertible, Sendable {
    var name: String
    var content: String
    var expected: String  // what stderr must contain after "FILE:"
    var description: String { name }
  }

  static let p = #"{"name":"Boštjan Poklukar","country":"SI"}"#
  static let n = #"{"name":"Nenad Nešić","country":"BA"}"#

  static let cases: [Case] = [
    Case(name: "malformed", content: #"{"type": "thanks.expressed", "#, expected: ":1: "),
    Case(
      name: "truncated-second-line",
      content: #"{"type":"thanks.expressed","occurred_at":"2023-11-08","data":{"from":\#(p),"to":"BA","for":"x"}}"# + "\n"
        + #"{"type":"thanks.expressed","occurred_at":"#, expected: ":2: "),
    Case(
      name: "three-letter-country",
      content: #"{"type":"meeting.held","occurred_at":"2023-11-08","data":{"participants":[\#(p),{"name":"N","country":"BIH"}]}}"#,
      expected: #":1: data.participants[1].country: "BIH" is not an ISO 3166-1 alpha-2 code"#),
    Case(
      name: "lowercase-country",
      content: #"{"type":"thanks.expressed","occurred_at":"2023-11-08","data":{"from":\#(p),"to":"ba","for":"x"}}"#,
      expected: ":1: data.to: "),
    Case(
      name: "unknown-top-field", content: #"{"type":"thanks.expressed","occured_at":"2023-11-08","data":{}}"#,
      expected: ":1: occured_at: unknown field"),
    Case(
      name: "unknown-data-field",
      content: #"{"type":"thanks.expressed","occurred_at":"2023-11-08","data":{"from":\#(p),"to":"BA","for":"x","when":"now"}}"#,
      expected: ":1: data.when: unknown field"),
    Case(
      name: "unknown-actor-field",
      content:
        #"{"type":"thanks.expressed","occurred_at":"2023-11-08","data":{"from":{"name":"A","country":"SI","title":"Dr"},"to":"BA","for":"x"}}"#,
      expected: ":1: data.from.title: unknown field"),
    Case(
      name: "impossible-date",
      content: #"{"type":"thanks.expressed","occurred_at":"2024-02-30","data":{"from":\#(p),"to":"BA","for":"x"}}"#,
      expected: #":1: occurred_at: "2024-02-30""#),
    Case(
      name: "month-13", content: #"{"type":"thanks.expressed","occurred_at":"2023-13-01","data":{"from":\#(p),"to":"BA","for":"x"}}"#,
      expected: ":1: occurred_at: "),
    Case(
      name: "hour-24",
      content: #"{"type":"thanks.expressed","occurred_at":"2023-11-08T24:00:00Z","data":{"from":\#(p),"to":"BA","for":"x"}}"#,
      expected: ":1: occurred_at: "),
    Case(
      name: "no-offset",
      content: #"{"type":"thanks.expressed","occurred_at":"2023-11-08T10:00:00","data":{"from":\#(p),"to":"BA","for":"x"}}"#,
      expected: ":1: occurred_at: "),
    Case(
      name: "bad-id",
      content: #"{"id":"a b","type":"thanks.expressed","occurred_at":"2023-11-08","data":{"from":\#(p),"to":"BA","for":"x"}}"#,
      expected: ":1: id: "),
    Case(
      name: "long-id",
      content:
        #"{"id":"\#(String(repeating: "x", count: 129))","type":"thanks.expressed","occurred_at":"2023-11-08","data":{"from":\#(p),"to":"BA","for":"x"}}"#,
      expected: ":1: id: "),
    Case(name: "unknown-type", content: #"{"type":"meeting.cancelled","occurred_at":"2023-11-08","data":{}}"#, expected: ":1: type: "),
    Case(
      name: "missing-data", content: #"{"type":"thanks.expressed","occurred_at":"2023-11-08"}"#,
      expected: ":1: data: required field is missing"),
    Case(
      name: "number-for-string", content: #"{"type":"statement.made","occurred_at":"2023-11-08","data":{"speaker":\#(p),"text":42}}"#,
      expected: ":1: data.text: 42 is a number"),
    Case(
      name: "duplicate-key", content: #"{"type":"thanks.expressed","type":"statement.made","occurred_at":"2023-11-08","data":{}}"#,
      expected: #":1: type: invalid JSON: duplicate key"#),
    Case(
      name: "one-country-meeting",
      content: #"{"type":"meeting.held","occurred_at":"2023-11-08","data":{"participants":[\#(p),{"name":"B","country":"SI"}]}}"#,
      expected: ":1: data.participants: "),
    Case(
      name: "unknown-meeting",
      content: #"{"type":"statement.made","occurred_at":"2023-11-08","data":{"speaker":\#(p),"text":"t","meeting":"nope"}}"#,
      expected: ":1: data.meeting: \"nope\" names no earlier meeting"),
    Case(
      name: "unknown-item", content: #"{"type":"item.resolved","occurred_at":"2025-01-01","data":{"item":"nope","outcome":"fulfilled"}}"#,
      expected: ":1: data.item: "),
    Case(
      name: "second-resolution",
      content: #"{"type":"item.resolved","occurred_at":"2025-07-01","data":{"item":"frontex-status-agreement","outcome":"broken"}}"#,
      expected: ":1: data.item: \"frontex-status-agreement\" is already resolved"),
    Case(
      name: "update-after-resolution",
      content: #"{"type":"item.updated","occurred_at":"2025-07-01","data":{"item":"frontex-status-agreement","note":"n"}}"#,
      expected: ":1: data.item: "),
    Case(
      name: "unknown-target", content: #"{"type":"event.retracted","occurred_at":"2025-07-01","data":{"target":"nope","reason":"r"}}"#,
      expected: ":1: data.target: "),
    Case(
      name: "second-retraction",
      content: #"{"type":"event.retracted","occurred_at":"2025-07-01","data":{"target":"si-ba-2023-11-08-thanks-floods","reason":"r"}}"#
        + "\n"
        + #"{"type":"event.retracted","occurred_at":"2025-07-01","data":{"target":"si-ba-2023-11-08-thanks-floods","reason":"again"}}"#,
      expected: ":2: data.target: \"si-ba-2023-11-08-thanks-floods\" (seq 2) is already retracted"),
    Case(
      name: "same-id-other-content",
      content:
        #"{"id":"si-ba-2023-11-08-thanks-floods","type":"thanks.expressed","occurred_at":"2023-11-08","data":{"from":\#(p),"to":"BA","for":"something else"}}"#,
      expected: ":1: id: "),
    Case(name: "empty", content: "", expected: ": the input holds no events"),
    Case(
      name: "reused-item-id",
      content:
        #"{"type":"agreement.pledged","occurred_at":"2024-01-01","data":{"summary":"s","parties":["BA"],"item":"frontex-status-agreement"}}"#,
      expected: ":1: data.item: "),
    Case(
      name: "invalid-utf8", content: "{\"type\":\"thanks.expressed\",\"occurred_at\":\"2023-11-08\",\"data\":{\"for\":\"\u{FFFD}\"}}",
      expected: ":1: invalid UTF-8"),
  ]

  @Test(arguments: cases)
  func badInputExits65AndLeavesTheStoreAsItWas(_ c: Case) throws {
    let store = try CLI.seededStore()
    let before = FileManager.default.contents(atPath: store)
    let file = CLI.tempDir().appendingPathComponent("\(c.name).ndjson")
    var data = Data(c.content.utf8)
    if c.name == "invalid-utf8" { data = Data(c.content.utf8.map { $0 == 0xEF ? 0xFF : $0 }) }
    try data.write(to: file)
    let result = try CLI.run(["append", file.path], store: store)
    #expect(result.status == 65, "\(result.stderr)")
    #expect(result.stderr.contains(file.path + c.expected), "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(FileManager.default.contents(atPath: store) == before)
  }

  @Test func aRejectedFirstAppendCreatesNoStore() throws {
    let path = CLI.tempDir().appendingPathComponent("never.db").path
    let result = try CLI.run(
      ["append"], stdin: #"{"type":"statement.made","occurred_at":"2023-11-08","data":{"speaker":\#(Self.p),"text":"t","meeting":"nope"}}"#,
      store: path)
    #expect(result.status == 65)
    #expect(result.stderr.contains("<stdin>:1: data.meeting"))
    #expect(!FileManager.default.fileExists(atPath: path))
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
    sqlite.arguments = [store, "UPDATE events SET occurred_at = '2023-11-09' WHERE seq = 7;"]
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
