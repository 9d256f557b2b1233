import ArgumentParser
import MeetlogKit

struct LogCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "log", abstract: "List events in log order, with filters.",
    discussion: """
      --from and --to filter on when events occurred (a date as --to means the end of
      that day); --country and --pair on the countries an event names.

      Examples:
        meetlog log
        meetlog log --type agreement.pledged --pair BA-SI
        meetlog log --from 2023-11-01 --to 2023-12-31 --format ndjson
      """)

  @OptionGroup var store: StoreOptions
  @OptionGroup var output: FormatOption

  @Option(help: ArgumentHelp("Only events of this type (repeatable).", valueName: "type"))
  var type: [String] = []

  @Option(help: ArgumentHelp("Only events that name this country.", valueName: "code"))
  var country: String?

  @Option(help: ArgumentHelp("Only events that name both countries of the pair, e.g. BA-SI.", valueName: "A-B"))
  var pair: String?

  @Option(help: ArgumentHelp("Only events that occurred at or after T.", valueName: "T"))
  var from: String?

  @Option(help: ArgumentHelp("Only events that occurred at or before T (a date: the end of that day).", valueName: "T"))
  var to: String?

  @Option(help: ArgumentHelp("At most N events.", valueName: "N"))
  var limit: Int?

  func run() throws {
    var query = EventQuery()
    if !type.isEmpty {
      var types = Set<EventType>()
      for name in type {
        guard let t = EventType(rawValue: name) else {
          throw MeetlogError(
            .usage,
            "--type: \"\(name)\" is not an event type (expected one of \(EventType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        types.insert(t)
      }
      query.types = types
    }
    if let country, !CountryCode.isValid(country) {
      throw MeetlogError(.usage, "--country: \(CountryCode.problem(with: country))")
    }
    var pairCountries: [String] = []
    if let pair {
      pairCountries = pair.split(separator: "-").map(String.init)
      guard pairCountries.count == 2, pairCountries.allSatisfy(CountryCode.isValid), pairCountries[0] != pairCountries[1] else {
        throw MeetlogError(.usage, "--pair: \"\(pair)\" is not two country codes like BA-SI")
      }
    }
    if let from = try parseTime(from, option: "--from") { query.occurredAtLeast = from.micros }
    if let to = try parseTime(to, option: "--to") {
      query.occurredAtMost = to.isDate ? Int64(to.day + 1) * Timestamp.microsPerDay - 1 : to.micros
    }
    if let limit, limit < 0 { throw MeetlogError(.usage, "--limit: \(limit) is negative") }
    let store = try SQLiteEventStore(path: store.path, mode: .read)
    var events: [RecordedEvent] = []
    if limit == 0 {
      FileIO.writeStandardOutput(EventRenderer.render([], format: output.format))
      return
    }
    try store.scan(query) { recorded in
      let countries = recorded.event.countries
      if let country, !countries.contains(country) { return true }
      if !pairCountries.isEmpty, !pairCountries.allSatisfy(countries.contains) { return true }
      events.append(recorded)
      return limit.map { events.count < $0 } ?? true
    }
    FileIO.writeStandardOutput(EventRenderer.render(events, format: output.format, colour: Terminal.colourStandardOutput))
  }
}
