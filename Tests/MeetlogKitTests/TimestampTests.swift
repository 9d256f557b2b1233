import Testing

@testable import MeetlogKit

@Suite struct TimestampTests {
  @Test func calendarDateIsMidnightUTC() throws {
    let t = try Timestamp.parse("2023-10-05").get()
    #expect(t.isDate)
    #expect(t.display == "2023-10-05")
    #expect(t.micros == Int64(daysFromCivil(year: 2023, month: 10, day: 5)) * Timestamp.microsPerDay)
  }

  @Test func dateTimeWithOffsetPrintsInUTC() throws {
    let t = try Timestamp.parse("2023-10-05T11:30:00+02:00").get()
    #expect(t.display == "2023-10-05T09:30:00Z")
    #expect(t.text == "2023-10-05T11:30:00+02:00")
    let z = try Timestamp.parse("2023-10-05t09:30:00.25z").get()
    #expect(z.display == "2023-10-05T09:30:00.25Z")
    #expect(z.text == "2023-10-05T09:30:00.25Z")
    #expect(try Timestamp.parse("2023-10-05T00:30:00+01:00").get().day == t.day - 1)
  }

  @Test(arguments: [
    "2024-02-30", "2023-02-29", "2023-13-01", "2023-00-10", "2023-10-05T24:00:00Z", "2023-10-05T10:60:00Z",
    "2023-10-05T10:00:00", "2023-10-05T10:00:00+2:00", "2023-10-05T10:00:00+24:00", "2023-10-05 10:00:00Z", "05.10.2023",
    "2023-10-5", "2023-10-05T10:00:00.1234567Z", "",
  ])
  func rejectsInvalidOrImpossibleTimes(_ text: String) {
    if case .success = Timestamp.parse(text) { Issue.record("accepted \(text)") }
  }

  @Test func leapDayExists() throws {
    #expect(try Timestamp.parse("2024-02-29").get().display == "2024-02-29")
  }

  @Test func civilConversionRoundTrips() {
    for day in stride(from: -800_000, to: 800_000, by: 997) {
      let (y, m, d) = civilFromDays(day)
      #expect(daysFromCivil(year: y, month: m, day: d) == day)
    }
    #expect(Timestamp.formatDay(0) == "1970-01-01")
  }
}
