import Foundation
import Testing

/// docs/store.md promises the data can be read without meetlog: these run its recipes.
@Suite struct StoreFormatTests {
  @Test func sqlite3AndZstdReadAnEvent() throws {
    let store = try CLI.seededStore()
    let (status, output) = try CLI.shell("sqlite3 '\(store)' \"SELECT hex(payload) FROM events WHERE seq = 2\" | xxd -r -p | zstd -dc")
    #expect(status == 0)
    #expect(output.hasPrefix(#"{"id":"si-ba-2023-11-08-thanks-floods","type":"thanks.expressed""#))
  }

  /// A store past the first dictionary: 1,200 thanks, appended in one batch.
  static func storeWithADictionary() throws -> String {
    let lines = (1...1200).map { n in
      #"{"id":"t\#(n)","type":"thanks.expressed","occurred_at":"2024-01-01","data":{"from":{"name":"Minister \#(n % 37)","country":"SI"},"to":"BA","for":"the help after the floods, message \#(n)"}}"#
    }
    let store = CLI.tempDir().appendingPathComponent("dict.db").path
    let result = try CLI.run(["append"], stdin: lines.joined(separator: "\n") + "\n", store: store)
    #expect(result.status == 0)
    return store
  }

  @Test func sqlite3AndZstdReadAnEventWithADictionary() throws {
    let store = try Self.storeWithADictionary()
    let dict = CLI.tempDir().appendingPathComponent("dict1").path
    let (status, output) = try CLI.shell(
      """
      sqlite3 '\(store)' "SELECT hex(bytes) FROM dictionaries WHERE id = 1" | xxd -r -p > '\(dict)' && \
      sqlite3 '\(store)' "SELECT '28b52ffd' || hex(payload) FROM events WHERE seq = 1100" | xxd -r -p | zstd -dc -D '\(dict)'
      """)
    #expect(status == 0)
    #expect(output.hasPrefix(#"{"id":"t1100","type":"thanks.expressed""#))
    let (_, dictIds) = try CLI.shell("sqlite3 '\(store)' 'SELECT DISTINCT dict_id FROM events'")
    #expect(dictIds.split(separator: "\n") == ["1"])
  }

  /// A format-2 store (every event stores its whole link) is read and verified as it
  /// is; the first append marks it format 3 and stores link prefixes from then on.
  @Test func aFormat2StoreIsReadAndUpgradedByAnAppend() throws {
    let store = CLI.tempDir().appendingPathComponent("f2.db").path
    // One event per append: each ends its commit and stores its whole link, as in format 2.
    let seed = try String(contentsOfFile: CLI.seed, encoding: .utf8).split(separator: "\n")
    for (n, line) in seed.prefix(3).enumerated() {
      #expect(try CLI.run(["append"], stdin: line + "\n", store: store, clock: "2026-01-15T12:00:0\(n)Z").status == 0)
    }
    #expect(
      try CLI.shell("sqlite3 '\(store)' \"PRAGMA user_version = 2; UPDATE meta SET value = '2' WHERE key = 'format_version'\"").0 == 0)
    func formatVersion() throws -> Int? {
      try CLI.json(try CLI.run(["stats", "--format", "json"], store: store).stdout)["format_version"] as? Int
    }
    #expect(try formatVersion() == 2)
    #expect(try CLI.run(["verify"], store: store).status == 0)
    #expect(try CLI.run(["state"], store: store).status == 0)
    let rest = seed.dropFirst(3).prefix(7).joined(separator: "\n") + "\n"
    #expect(try CLI.run(["append"], stdin: rest, store: store, clock: "2026-01-16T12:00:00Z").status == 0)
    #expect(try formatVersion() == 3)
    #expect(try CLI.run(["verify"], store: store).status == 0)
    let lengths = try CLI.shell("sqlite3 '\(store)' 'SELECT group_concat(length(hash)) FROM events'").1
    #expect(lengths.trimmingCharacters(in: .whitespacesAndNewlines) == "32,32,32,8,8,8,8,8,8,32")
    let meta = try CLI.shell("sqlite3 '\(store)' \"PRAGMA user_version; SELECT value FROM meta WHERE key = 'format_version'\"").1
    #expect(meta.split(separator: "\n") == ["3", "3"])
  }

  @Test(arguments: [false, true]) func pythonRecomputesTheHeadHash(withDictionary: Bool) throws {
    let store = withDictionary ? try Self.storeWithADictionary() : try CLI.seededStore()
    let doc = try String(contentsOf: CLI.packageRoot.appendingPathComponent("docs/store.md"), encoding: .utf8)
    let start = try #require(doc.range(of: "```python\n"))
    let end = try #require(doc.range(of: "```", range: start.upperBound..<doc.endIndex))
    let script = String(doc[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "\"meetlog.db\"", with: "'\(store)'")
    let file = CLI.tempDir().appendingPathComponent("chain.py")
    try script.write(to: file, atomically: true, encoding: .utf8)
    let (status, output) = try CLI.shell("python3 '\(file.path)'")
    #expect(status == 0)
    let stats = try CLI.json(try CLI.run(["stats", "--format", "json"], store: store).stdout)
    #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == stats["head_hash"] as? String)
  }
}
