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
}
