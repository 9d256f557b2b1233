import Testing

@testable import MeetlogKit

@Suite struct InputReaderTests {
  func read(_ text: String) throws(MeetlogError) -> [InputObject] { try InputReader.read(Array(text.utf8), file: "in.ndjson") }
  func read(_ bytes: [UInt8]) throws(MeetlogError) -> [InputObject] { try InputReader.read(bytes, file: "in.ndjson") }

  @Test func ndjsonWithBlankLinesAndCRLF() throws {
    let objects = try read("{\"a\":1}\r\n\r\n{\"a\":2}\r\n")
    #expect(objects.map(\.location.line) == [1, 3])
  }

  @Test func arrayOfObjectsKeepsElementLines() throws {
    let objects = try read("[\n  {\"a\":1},\n  {\"a\":2}\n]")
    #expect(objects.map(\.location.line) == [2, 3])
  }

  @Test func onePrettyObject() throws {
    let objects = try read("{\n  \"a\": 1\n}\n")
    #expect(objects.count == 1)
    #expect(objects[0].location.line == 1)
  }

  @Test func truncatedLineNamesItsLine() {
    #expect(throws: MeetlogError.self) { try read("{\"a\":1}\n{\"a\":\n{\"a\":3}\n") }
    do { _ = try read("{\"a\":1}\n{\"a\":\n{\"a\":3}\n") } catch {
      #expect(error.message.hasPrefix("in.ndjson:2:"))
      #expect(error.kind == .invalidInput)
    }
  }

  @Test func invalidUTF8AndEmptyInputAreRejected() {
    do { _ = try read([0x7B, 0x0A, 0xFF]) } catch { #expect(error.message.hasPrefix("in.ndjson:2: invalid UTF-8")) }
    #expect(throws: MeetlogError.self) { try read("") }
    #expect(throws: MeetlogError.self) { try read("\n \n") }
    #expect(throws: MeetlogError.self) { try read("[]") }
  }

  @Test func byteOrderMarkIsTolerated() throws {
    #expect(try read([0xEF, 0xBB, 0xBF] + Array("{\"a\":1}".utf8)).count == 1)
  }

  /// Reads NDJSON once in one pass and once in pieces on two threads (split from the first byte on).
  func bothWays(_ bytes: [UInt8]) -> (Result<[InputObject], MeetlogError>, Result<[InputObject], MeetlogError>) {
    func read(_ splitAt: Int) -> Result<[InputObject], MeetlogError> {
      Result { () throws(MeetlogError) in
        try InputReader.ndjson(bytes, start: 0, file: "in.ndjson", direct: true, splitAt: splitAt) { (o) throws(MeetlogError) in o }
      }
    }
    return (read(Int.max), read(0))
  }

  @Test func piecesReadWhatOnePassReads() throws {
    var lines: [String] = []
    for i in 0..<41 {
      lines.append(i % 5 == 0 ? Fixtures.meeting("m\(i)", "2024-01-\(i % 28 + 11)") : "{\"a\":\(i)}")
      if i % 7 == 0 { lines.append("") }
    }
    for text in [lines.joined(separator: "\n"), lines.joined(separator: "\r\n") + "\r\n", "{\"a\":1}\n{\"a\":2}"] {
      let (one, two) = bothWays(Array(text.utf8))
      let a = try one.get()
      let b = try two.get()
      #expect(a.map(\.location) == b.map(\.location))
      #expect(a.map(\.value) == b.map(\.value))
      #expect(
        a.map { $0.direct.map { CanonicalEncoding.bytes($0.event) } } == b.map { $0.direct.map { CanonicalEncoding.bytes($0.event) } })
      #expect(a.contains { $0.direct != nil } == text.contains("meeting.held"))
    }
  }

  @Test func piecesThrowTheFirstErrorByLine() {
    let good = (0..<10).map { "{\"a\":\($0)}" }
    var secondBad = good
    secondBad[8] = "{\"a\":"
    var bothBad = secondBad
    bothBad[2] = "{]"
    for (lines, line) in [(secondBad, 9), (bothBad, 3)] {
      let (one, two) = bothWays(Array(lines.joined(separator: "\n").utf8))
      for result in [one, two] {
        guard case .failure(let error) = result else {
          Issue.record("no error")
          continue
        }
        #expect(error.message.hasPrefix("in.ndjson:\(line): "), "\(error.message)")
      }
    }
  }
}
