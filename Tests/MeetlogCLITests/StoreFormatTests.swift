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
