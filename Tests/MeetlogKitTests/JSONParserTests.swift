import Testing

@testable import MeetlogKit

@Suite struct JSONParserTests {
  func parse(_ text: String) throws(JSONParser.Failure) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

  @Test func parsesNestedValuesKeepingKeyOrder() throws {
    let value = try parse(#"{"b":1,"a":[true,null,"š\u010d"],"c":{"d":-1.5e3}}"#)
    guard case .object(let members) = value else { Issue.record("not an object"); return }
    #expect(members.map(\.0) == ["b", "a", "c"])
    #expect(members[1].1 == .array([.bool(true), .null, .string("šč")]))
    #expect(members[2].1 == .object([("d", .number("-1.5e3"))]))
  }

  @Test func rejectsDuplicateKeysWithTheirPath() {
    #expect(throws: JSONParser.Failure.self) { try parse(#"{"data":{"text":"a","text":"b"}}"#) }
    do {
      _ = try parse(#"{"data":{"text":"a","text":"b"}}"#)
    } catch {
      #expect(error.path == "data.text")
      #expect(error.message.contains("duplicate key"))
    }
  }

  @Test(arguments: [
    #"{"a":01}"#, #"{"a":1.}"#, #"{"a":"x"#, #"{"a":tru}"#, "{\"a\":\"line\nbreak\"}", #"{"a":"\ud800"}"#, #"[1,]"#,
    #"{"a" 1}"#, #"{"a":1}x"#, #"{'a':1}"#,
  ])
  func rejectsMalformedJSON(_ text: String) {
    #expect(throws: JSONParser.Failure.self) { try parse(text) }
  }

  @Test func decodesSurrogatePairsAndEscapes() throws {
    #expect(try parse(#""\ud83c\uddf8\ud83c\uddee \/ \"q\" \\""#) == .string("🇸🇮 / \"q\" \\"))
  }

  @Test func limitsNestingDepth() {
    let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
    #expect(throws: JSONParser.Failure.self) { try parse(deep) }
  }

  @Test func reportsTheLineOfAnError() {
    do {
      _ = try parse("{\n\"a\": 1,\n\"b\": ?\n}")
      Issue.record("expected an error")
    } catch {
      #expect(error.line == 3)
    }
  }

  @Test func findsInvalidUTF8() {
    #expect(firstInvalidUTF8Offset(Array("ok šč".utf8)) == nil)
    #expect(firstInvalidUTF8Offset([0x61, 0xC3, 0x28]) == 1)
    #expect(firstInvalidUTF8Offset([0xED, 0xA0, 0x80]) == 0)  // encoded surrogate
    #expect(firstInvalidUTF8Offset([0xC0, 0x80]) == 0)  // overlong
  }

  /// ASCII is skipped eight bytes at a time: a bad or good sequence is found wherever it
  /// falls against those steps, and a sequence cut by the end is bad.
  @Test func findsInvalidUTF8AtEveryOffset() {
    for count in 1...40 {
      let ascii = [UInt8](repeating: UInt8(ascii: "a"), count: count)
      #expect(firstInvalidUTF8Offset(ascii) == nil)
      for at in 0..<count {
        var bad = ascii
        bad[at] = 0xFF
        #expect(firstInvalidUTF8Offset(bad) == at)
        var good = ascii
        good.replaceSubrange(at..<at + 1, with: Array("š€😀".utf8))
        #expect(firstInvalidUTF8Offset(good) == nil)
        #expect(firstInvalidUTF8Offset(Array(good.dropLast())) == (at == count - 1 ? good.count - 4 : nil))
      }
    }
  }

  @Test func writerEscapesOnlyWhatJSONRequires() {
    var w = JSONWriter()
    w.string("a\"b\\c\nš/\u{01}")
    #expect(w.string == #""a\"b\\c\nš/\u0001""#)
  }

  @Test func formatsScoresWithTwoDecimals() {
    #expect(formatDecimal2(14.2) == "14.2")
    #expect(formatDecimal2(-3.999) == "-4")
    #expect(formatDecimal2(0.05) == "0.05")
    #expect(formatDecimal2(-0.001) == "0")
    #expect(formatDecimal2(12.345678) == "12.35")
    #expect(formatDecimal2(7.105227) == "7.11")
  }

  @Test func writesIntegersAsSwiftPrintsThem() {
    let values: [Int64] = [0, 7, -1, 9, 10, -10, 99, 100, 1_234_567, Int64.max, Int64.min, Int64.min + 1]
    var w = JSONWriter()
    w.beginArray()
    for v in values { w.int(v) }
    w.int(UInt64.max)
    w.endArray()
    #expect(w.string == "[" + (values.map { String($0) } + [String(UInt64.max)]).joined(separator: ",") + "]")
  }
}

/// The word-at-a-time scan for a JSON string's quote, backslash or control byte finds
/// what a byte-by-byte scan finds, at every offset and for every byte value.
@Suite struct JSONStringScanTests {
  func naive(_ bytes: [UInt8], from start: Int) -> Int {
    var i = start
    while i < bytes.count, !(bytes[i] == 0x22 || bytes[i] == 0x5C || bytes[i] < 0x20) { i += 1 }
    return i
  }

  @Test func everyByteAtEveryOffset() {
    for length in 0..<24 {
      for position in 0..<max(length, 1) {
        for value in 0...255 {
          var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
          if position < length { bytes[position] = UInt8(value) }
          for start in [0, 1, 3, 8].filter({ $0 <= length }) {
            let found = bytes.withUnsafeBufferPointer { JSONStringScan.firstSpecial($0, from: start) }
            #expect(found == naive(bytes, from: start), "length \(length), byte \(value) at \(position), from \(start)")
          }
        }
      }
    }
  }

  @Test func randomWords() {
    var state: UInt64 = 99
    for _ in 0..<200_000 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let word = state
      let bytes = (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }
      #expect(JSONStringScan.hasSpecial(word) == bytes.contains { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 })
    }
  }
}
