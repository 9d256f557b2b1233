import Testing

@testable import MeetlogKit

/// How events become directed CAMEO acts (GDELT rows) and compound PLOVER acts.
@Suite struct EventCoderTests {
  func directed(_ lines: [String]) throws -> [[String]] {
    var coder = EventCoder()
    let events = try lines.map { try Fixtures.decode($0) }
    for e in events { coder.learn(e) }
    return events.compactMap { coder.code($0) }.map { act in
      act.directed().map { "\($0.source.country)>\($0.target?.country ?? "-") \($0.code.rawValue)" }
    }
  }

  @Test func aMeetingWithoutHostConsultsOncePerPair() throws {
    let rows = try directed([Fixtures.meeting("m", "2024-01-01", countries: ["SI", "BA", "HR", "SI"])])
    #expect(rows == [["SI>BA 040", "SI>HR 040", "BA>HR 040"]])
  }

  @Test func aJointPledgeActsBothWaysAndItsResolutionFollowsIt() throws {
    let rows = try directed([
      Fixtures.pledge("p", "2024-01-01", item: "i", parties: ["SI", "BA"]),
      Fixtures.resolve("r", "2024-02-01", item: "i", outcome: "broken"),
      Fixtures.resolve("s", "2024-02-01", item: "unknown", outcome: "fulfilled"),
    ])
    #expect(rows == [["SI>BA 030", "BA>SI 030"], ["SI>BA 120", "BA>SI 120"]])
  }

  @Test func aSinglePartyPledgeAndAStatementAboutNobodyKeepAnEmptyTarget() throws {
    let rows = try directed([
      Fixtures.pledge("p", "2024-01-01", item: "i", parties: ["SI"]), Fixtures.statement("s", "2024-01-01", about: []),
      Fixtures.statement("t", "2024-01-01", about: ["SI", "BA"]),
    ])
    #expect(rows == [["SI>- 030"], ["SI>- 010"], ["SI>BA 010"]])
  }

  @Test func everyAcceptedCountryHasAlpha3AndAName() {
    for code in CountryCode.assigned.union(CountryCode.extra) {
      let entry = CountryTable.entry(code)
      #expect(entry?.alpha3.count == 3, "\(code)")
      #expect(entry?.name.isEmpty == false, "\(code)")
    }
    #expect(CountryTable.entry("BA")?.fips == "BK")
    #expect(CountryTable.entry("BH")?.fips == "BA")
  }
}
