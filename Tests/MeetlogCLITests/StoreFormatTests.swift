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

  @Test func pythonRecomputesTheHeadHash() throws {
    let store = try CLI.seededStore()
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
