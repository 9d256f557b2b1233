import Foundation
import Testing

/// `meetlog export --format gdelt|plover` on the seed events: the mapping tables of
/// docs/interop.md, row by row.
@Suite struct InteropTests {
  static func gdeltRows(_ store: String) throws -> [[String]] {
    let result = try CLI.run(["export", "--format", "gdelt"], store: store)
    #expect(result.status == 0, "\(result.stderr)")
    return result.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
  }

  /// The GDELT 2.0 column names, 1-based as in the codebook.
  static let column: [String: Int] = [
    "GLOBALEVENTID": 1, "SQLDATE": 2, "Actor1Code": 6, "Actor1Name": 7, "Actor1CountryCode": 8, "Actor1Type1Code": 13,
    "Actor2Code": 16, "Actor2Name": 17, "Actor2CountryCode": 18, "EventCode": 27, "EventBaseCode": 28, "EventRootCode": 29,
    "QuadClass": 30, "GoldsteinScale": 31, "ActionGeo_Type": 52, "ActionGeo_FullName": 53, "ActionGeo_CountryCode": 54,
    "DATEADDED": 60, "SOURCEURL": 61,
  ]

  static func cell(_ row: [String], _ name: String) -> String { row[column[name]! - 1] }

  @Test func gdeltRowsFollowTheLayoutAndTheMapping() throws {
    let store = try CLI.seededStore()
    let rows = try Self.gdeltRows(store)
    #expect(rows.allSatisfy { $0.count == 61 })
    // The hosted meeting: Bosnia and Herzegovina visits (042), Slovenia hosts (043).
    let meeting = rows.filter { Self.cell($0, "GLOBALEVENTID").hasPrefix("1") && Self.cell($0, "GLOBALEVENTID").count == 4 }
    #expect(meeting.map { Self.cell($0, "EventCode") } == ["042", "043"])
    let visit = meeting[0]
    #expect(Self.cell(visit, "Actor1Code") == "BIHGOV")
    #expect(Self.cell(visit, "Actor1Name") == "Nenad Nešić")
    #expect(Self.cell(visit, "Actor2CountryCode") == "SVN")
    #expect(Self.cell(visit, "GoldsteinScale") == "1.9")
    #expect(Self.cell(visit, "QuadClass") == "1")
    #expect(Self.cell(visit, "SQLDATE") == "20231108")
    // FIPS, not ISO: the place is in Slovenia (SI in both); Bosnia would be BK.
    #expect(Self.cell(visit, "ActionGeo_Type") == "4")
    #expect(Self.cell(visit, "ActionGeo_FullName") == "Ljubljana, Slovenia")
    #expect(Self.cell(visit, "ActionGeo_CountryCode") == "SI")
    #expect(Self.cell(visit, "DATEADDED") == "20260115120000")
    #expect(Self.cell(visit, "SOURCEURL").hasPrefix("https://www.gov.si/"))
    #expect(Self.cell(meeting[1], "GoldsteinScale") == "2.8")
    // Thanks: praise (051); statements: 010; pledges: 030; the Frontex signature
    // fulfils an item: material cooperation (060, quad class 2).
    let codes = rows.map { Self.cell($0, "EventCode") }
    #expect(codes.filter { $0 == "051" }.count == 1)
    #expect(codes.filter { $0 == "010" }.count == 10)
    let fulfilled = try #require(rows.first { Self.cell($0, "EventCode") == "060" })
    #expect(Self.cell(fulfilled, "QuadClass") == "2")
    #expect(Self.cell(fulfilled, "GoldsteinScale") == "6.0")
    #expect(Self.cell(fulfilled, "EventRootCode") == "06")
    // The EU is an IGO in CAMEO.
    let eu = try #require(rows.first { Self.cell($0, "Actor2Code") == "IGOEUREEC" })
    #expect(Self.cell(eu, "Actor2Name") == "EUROPEAN UNION")
    // Item updates have no CAMEO code: no row.
    #expect(rows.count == 29)
  }

  @Test func retractedEventsLeaveTheEventData() throws {
    let store = try CLI.seededStore()
    let retraction =
      #"{"type":"event.retracted","occurred_at":"2026-01-15","data":{"target":"si-ba-2023-11-08-thanks-floods","reason":"test"}}"#
    #expect(try CLI.run(["append"], stdin: retraction, store: store).status == 0)
    let rows = try Self.gdeltRows(store)
    #expect(!rows.contains { Self.cell($0, "EventCode") == "051" })
    #expect(rows.count == 28)
    let plover = try CLI.run(["export", "--format", "plover"], store: store).stdout
    #expect(!plover.contains("thanks-floods"))
  }

  @Test func ploverRecordsUseCompoundActors() throws {
    let store = try CLI.seededStore()
    let result = try CLI.run(["export", "--format", "plover"], store: store)
    #expect(result.status == 0, "\(result.stderr)")
    let records = try result.stdout.split(separator: "\n").map { try CLI.json(String($0)) }
    // Statements are dropped by PLOVER; the meeting, the thanks, 8 pledges, 2 resolutions
    // and the signing meeting remain.
    #expect(records.count == 13)
    let meeting = try #require(records.first { $0["id"] as? String == "si-ba-2023-11-08" })
    #expect(meeting["event"] as? [String] == ["CONSULT"])
    #expect(meeting["date"] as? String == "2023-11-08")
    #expect(meeting["mode"] as? String == "bilateral")
    #expect((meeting["recipient"] as? [Any])?.isEmpty == true)
    let sources = meeting["source"] as! [[String: Any]]
    #expect(sources.map { $0["code"] as? String } == ["SVN", "BIH"])
    #expect(sources[1]["actor_text"] as? String == "Nenad Nešić")
    #expect(sources[1]["office"] as? String == "Minister of Security")
    let location = meeting["event_loc"] as! [String: Any]
    #expect(location["cc3"] as? String == "SVN")
    let categories = records.map { ($0["event"] as! [String])[0] }
    #expect(categories.filter { $0 == "AGREE" }.count == 8)
    #expect(categories.filter { $0 == "SUPPORT" }.count == 2)
    #expect(categories.filter { $0 == "COOPERATE" }.count == 1)
    let thanks = try #require(records.first { $0["id"] as? String == "si-ba-2023-11-08-thanks-floods" })
    #expect(thanks["quad_code"] as? Int == 1)
    #expect(thanks["event_scale"] as? Double == 3.4)
    #expect(((thanks["recipient"] as! [[String: Any]])[0])["code"] as? String == "BIH")
  }

  @Test func unknownExportFormatIsAUsageError() throws {
    let store = try CLI.seededStore()
    let result = try CLI.run(["export", "--format", "icews"], store: store)
    #expect(result.status == 2)
    #expect(result.stderr.contains("icews"))
  }
}
