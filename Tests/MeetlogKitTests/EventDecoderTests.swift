import Testing

@testable import MeetlogKit

@Suite struct EventDecoderTests {
  func error(_ line: String) -> FieldError? {
    do {
      _ = try Fixtures.decode(line)
      return nil
    } catch { return error }
  }

  @Test func decodesEveryTypeAndReencodesCanonically() throws {
    let lines = [
      Fixtures.meeting("m1", "2023-11-08"), Fixtures.statement("s1", "2023-11-08", meeting: "m1"),
      Fixtures.pledge("p1", "2023-11-08", item: "i1", due: "2023-12-31"), Fixtures.thanks("t1", "2023-11-08"),
      #"{"id":"u1","type":"item.updated","occurred_at":"2023-11-09","data":{"item":"i1","note":"n"}}"#,
      Fixtures.resolve("r1", "2023-11-10", item: "i1"), Fixtures.retract("x1", "2023-11-11", target: "t1"),
    ]
    for line in lines {
      let event = try Fixtures.decode(line)
      let canonical = CanonicalEncoding.bytes(event)
      #expect(try Fixtures.decode(String(decoding: canonical, as: UTF8.self)) == event)
    }
  }

  @Test func canonicalFormIgnoresKeyOrderAndWhitespace() throws {
    let a = try Fixtures.decode(
      #"{"type":"thanks.expressed","id":"t","data":{"to":"BA","for":"help","from":{"country":"SI","name":"X"}},"occurred_at":"2023-11-08"}"#
    )
    let b = try Fixtures.decode(
      #"{ "id": "t", "type": "thanks.expressed", "occurred_at": "2023-11-08", "data": {"from": {"name": "X", "country": "SI"}, "to": "BA", "for": "help"} }"#
    )
    #expect(CanonicalEncoding.bytes(a) == CanonicalEncoding.bytes(b))
  }

  @Test func unknownFieldsAreErrorsAtEveryLevel() {
    #expect(error(#"{"type":"thanks.expressed","occurred_at":"2023-11-08","extra":1,"data":{}}"#)?.path == "extra")
    let data = Fixtures.thanks("t", "2023-11-08").replacingAll(#""for":"help""#, with: #""for":"help","fro":1"#)
    #expect(error(data)?.path == "data.fro")
    let actor = Fixtures.thanks("t", "2023-11-08").replacingAll(#""name":"X""#, with: #""name":"X","nmae":"Y""#)
    #expect(error(actor)?.path == "data.from.nmae")
  }

  @Test func countryCodesMustBeISOAlpha2UpperCase() {
    let bih = Fixtures.thanks("t", "2023-11-08", to: "BIH")
    #expect(error(bih) == FieldError("data.to", #""BIH" is not an ISO 3166-1 alpha-2 code"#))
    let lower = Fixtures.thanks("t", "2023-11-08", to: "ba")
    #expect(error(lower)?.message.contains("upper case") == true)
    #expect(error(Fixtures.thanks("t", "2023-11-08", to: "XK")) == nil)
    #expect(error(Fixtures.thanks("t", "2023-11-08", to: "EU")) == nil)
    #expect(error(Fixtures.thanks("t", "2023-11-08", to: "XX")) != nil)
  }

  @Test func meetingNeedsTwoCountries() {
    let one = Fixtures.meeting("m", "2023-11-08", countries: ["SI", "SI"])
    #expect(error(one)?.path == "data.participants")
    let bad = Fixtures.meeting("m", "2023-11-08", countries: ["SI", "BIH"])
    #expect(error(bad)?.path == "data.participants[1].country")
  }

  @Test func datesMustBeReal() {
    #expect(error(Fixtures.thanks("t", "2024-02-30"))?.path == "occurred_at")
    #expect(error(Fixtures.pledge("p", "2023-11-08", item: "i", due: "2023-13-01"))?.path == "data.due")
    #expect(error(Fixtures.pledge("p", "2023-11-08", item: "i", due: "2023-12-01T00:00:00Z"))?.path == "data.due")
  }

  @Test func idsFollowTheSyntax() {
    #expect(error(Fixtures.thanks("bad id", "2023-11-08"))?.path == "id")
    #expect(error(Fixtures.thanks(String(repeating: "a", count: 129), "2023-11-08"))?.message.contains("128") == true)
    #expect(error(Fixtures.thanks(String(repeating: "a", count: 128), "2023-11-08")) == nil)
    #expect(error(Fixtures.thanks("a.b_c:d-1", "2023-11-08")) == nil)
  }

  @Test func requiredFieldsTypesAndEnumerations() {
    #expect(
      error(#"{"type":"statement.made","occurred_at":"2023-11-08","data":{"speaker":{"name":"A","country":"SI"}}}"#)
        == FieldError("data.text", "required field is missing"))
    #expect(
      error(#"{"type":"statement.made","occurred_at":"2023-11-08","data":{"speaker":{"name":"A","country":"SI"},"text":5}}"#)?.path
        == "data.text")
    #expect(error(#"{"type":"meeting.closed","occurred_at":"2023-11-08","data":{}}"#)?.path == "type")
    #expect(error(Fixtures.resolve("r", "2023-11-08", item: "i", outcome: "kept"))?.path == "data.outcome")
    #expect(error(#"{"type":"item.updated","occurred_at":"2023-11-08","data":{"item":"i"}}"#)?.path == "data")
    #expect(error(#"{"type":"event.retracted","occurred_at":"2023-11-08","data":{"target":"x","reason":null}}"#)?.path == "data.reason")
    #expect(error(#"["not an object"]"#)?.path == "")
  }

  @Test func pledgeListsMustBeDistinctAndDisjoint() {
    #expect(error(Fixtures.pledge("p", "2023-11-08", item: "i", parties: ["SI", "SI"]))?.path == "data.parties[1]")
    let overlap = #"{"type":"agreement.pledged","occurred_at":"2023-11-08","data":{"summary":"s","parties":["SI"],"with":["SI"]}}"#
    #expect(error(overlap)?.path == "data.with")
  }

  @Test func recordFieldsOnlyInExports() throws {
    let line =
      #"{"seq":1,"recorded_at":"2024-01-01T00:00:00Z","id":"t","type":"thanks.expressed","occurred_at":"2023-11-08","data":{"from":{"name":"X","country":"SI"},"to":"BA","for":"help"}}"#
    #expect(error(line)?.path == "seq")
    let decoded = try EventDecoder.decode(try JSONParser.parse(Array(line.utf8)), recordFields: true)
    #expect(decoded.seq == 1)
  }
}

/// The canonical form, byte for byte: every type with every optional field, and escapes
/// (quotes, backslashes, control characters) in the values. These lines are already in
/// canonical form, so encoding what they decode to gives them back; the hash chain of
/// every store depends on these bytes.
@Suite struct CanonicalFormTests {
  static let lines = [
    #"{"id":"m1","type":"meeting.held","occurred_at":"2023-11-08T10:00:00+01:00","source":"https://example.org/a?b=\"c\"","data":{"participants":[{"name":"Boštjan \"B\" Poklukar","role":"Minister\\of the Interior","country":"SI"},{"name":"Nenad Nešić","country":"BA"}],"meeting":"meet-1","title":"Talks\non\tborders","place":{"city":"Ljubljana","country":"SI"},"host":"SI","format":"bilateral","topics":["migration","police \u0001 cooperation"]}}"#,
    #"{"id":"s1","type":"statement.made","occurred_at":"2023-11-08","data":{"speaker":{"name":"A","country":"SI"},"text":"We agreed — \"fully\".","meeting":"meet-1","about":["BA","HR"],"topics":["migration"]}}"#,
    #"{"id":"p1","type":"agreement.pledged","occurred_at":"2023-11-08","data":{"summary":"Step up \"police\" cooperation","parties":["SI","BA"],"with":["HR"],"item":"item-1","by":{"name":"B","role":"R","country":"BA"},"due":"2024-03-01","meeting":"meet-1","topics":["police"]}}"#,
    #"{"id":"p2","type":"agreement.pledged","occurred_at":"2023-11-09","data":{"summary":"Second","parties":["SI","BA"]}}"#,
    #"{"id":"t1","type":"thanks.expressed","occurred_at":"2023-11-08","data":{"from":{"name":"C","country":"BA"},"to":"SI","for":"help\\support","meeting":"meet-1"}}"#,
    #"{"id":"u1","type":"item.updated","occurred_at":"2023-12-01","data":{"item":"item-1","due":"2024-04-01","note":"moved"}}"#,
    #"{"id":"r1","type":"item.resolved","occurred_at":"2024-02-01","data":{"item":"item-1","outcome":"superseded","note":"replaced","superseded_by":"p2"}}"#,
    #"{"id":"x1","type":"event.retracted","occurred_at":"2024-02-02","data":{"target":"t1","reason":"duplicate"}}"#,
  ]

  @Test func eachLineIsItsOwnCanonicalForm() throws {
    for line in Self.lines {
      let event = try Fixtures.decode(line)
      #expect(String(decoding: CanonicalEncoding.bytes(event), as: UTF8.self) == line)
    }
  }

  @Test func anExportLinePutsSeqAndRecordedAtInFront() throws {
    let event = try Fixtures.decode(Self.lines[3])
    let recordedAt = try Timestamp.parse("2024-01-02T03:04:05Z").get()
    let recorded = RecordedEvent(seq: 42, recordedAt: recordedAt, event: event)
    let expected = #"{"seq":42,"recorded_at":"2024-01-02T03:04:05Z","# + Self.lines[3].dropFirst()
    #expect(String(decoding: CanonicalEncoding.exportLine(recorded), as: UTF8.self) == expected)
  }
}

/// Ids are 1–128 of A-Z a-z 0-9 `.` `_` `:` `-`, checked one bit per byte.
@Suite struct IdentifierTests {
  @Test func everyByteValue() {
    let allowed = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._:-".utf8)
    for value in 0...255 {
      let bytes: [UInt8] = [UInt8(ascii: "a"), UInt8(value), UInt8(ascii: "z")]
      let valid = bytes.withUnsafeBufferPointer { EventDecoder.isIdentifier($0) }
      #expect(valid == allowed.contains(UInt8(value)), "byte \(value)")
    }
    #expect(EventDecoder.isValidIdentifier("ev-0123.abc_DEF:9"))
    #expect(!EventDecoder.isValidIdentifier("é"))
  }

  @Test func lengths() {
    #expect(!EventDecoder.isValidIdentifier(""))
    #expect(EventDecoder.isValidIdentifier("x"))
    #expect(EventDecoder.isValidIdentifier(String(repeating: "a", count: 128)))
    #expect(!EventDecoder.isValidIdentifier(String(repeating: "a", count: 129)))
  }
}
