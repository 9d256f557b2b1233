import Foundation
import Testing

@testable import MeetlogKit

/// The report shows what the state counts: its curve is the state's score at each day.
@Suite struct ReportTests {
  static let lines = [
    Fixtures.meeting("m1", "2021-03-01"), Fixtures.pledge("p1", "2021-03-01", item: "a"), Fixtures.thanks("t1", "2021-06-10"),
    Fixtures.pledge("p2", "2022-01-05", item: "b", parties: ["SI", "HR"]), Fixtures.resolve("r1", "2022-02-01", item: "a"),
    Fixtures.meeting("m2", "2023-05-05T10:00:00+02:00", countries: ["BA", "SI", "HR"]),
    Fixtures.resolve("r2", "2023-06-01", item: "b", outcome: "broken"), Fixtures.retract("x1", "2023-07-01", target: "t1"),
    Fixtures.statement("s1", "2023-08-01", about: ["BA"]), Fixtures.meeting("m3", "2031-01-01"),
  ]

  @Test func theCurveIsTheStateScoreAtEveryDay() throws {
    let store = try Fixtures.store(Self.lines)
    let point = PointInTime(asOf: try Timestamp.parse("2024-06-30").get(), now: Fixtures.day("2024-06-30T00:00:00Z"))
    let report = try ReportQuery.run(store, point, pairs: ["BA-SI", "HR-SI"])
    #expect(report.pairs.map(\.relation.pair) == ["BA-SI", "HR-SI"])
    for pair in report.pairs {
      #expect(formatDecimal2(pair.curve.last!.score) == formatDecimal2(pair.relation.score))
      for sample in pair.curve {
        let day = Timestamp.formatDay(sample.day)
        let asOf = PointInTime(asOf: try Timestamp.parse(day).get(), now: point.now)
        let state = try StateQuery.run(store, asOf)
        let expected = state.relations.first { $0.pair == pair.relation.pair }?.score ?? 0
        #expect(abs(sample.score - expected) < 1e-9, "\(pair.relation.pair) \(day)")
      }
    }
    // The retracted thanks is not on the timeline; the retraction itself is no mark.
    let basi = report.pairs[0]
    #expect(!basi.timeline.contains { $0.eventId == "t1" || $0.eventId == "x1" })
    #expect(basi.timeline.map(\.eventId) == ["m1", "p1", "r1", "m2", "s1"])
    #expect(basi.items.map(\.item) == ["a"])
  }

  @Test func anEventAfterThePointCountsUndecayedAsInTheState() throws {
    let store = try Fixtures.store(Self.lines)
    let point = PointInTime(now: Fixtures.day("2025-01-01T00:00:00Z"))
    let report = try ReportQuery.run(store, point, pairs: ["BA-SI"])
    #expect(formatDecimal2(report.pairs[0].curve.last!.score) == formatDecimal2(report.pairs[0].relation.score))
  }

  @Test func aPairWithoutEventsIsReportedEmpty() throws {
    let store = try Fixtures.store(Self.lines)
    let report = try ReportQuery.run(store, PointInTime(now: Fixtures.day("2024-01-01T00:00:00Z")), pairs: ["AT-DE"])
    #expect(report.pairs.count == 1)
    #expect(report.pairs[0].timeline.isEmpty && report.pairs[0].curve.isEmpty)
    let html = ReportHTML.render(report, overview: false)
    #expect(html.contains("Austria – Germany (AT-DE)"))
  }

  @Test func textIsEscaped() throws {
    let line =
      #"{"id":"p","type":"agreement.pledged","occurred_at":"2024-01-01","data":{"summary":"<script>alert('x')</script> & co","parties":["SI","BA"]}}"#
    let store = try Fixtures.store([line])
    let report = try ReportQuery.run(store, PointInTime(now: Fixtures.day("2024-02-01T00:00:00Z")), pairs: ["BA-SI"])
    let html = ReportHTML.render(report, overview: true)
    #expect(!html.contains("<script"))
    #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"))
  }
}
