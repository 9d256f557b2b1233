import ArgumentParser
import MeetlogKit

struct ReplayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay", abstract: "Replay to a point in time event by event, with each change to the state.",
    discussion: """
      Events are folded in (occurred_at, seq) order, as the state is defined; each is
      printed with the fields of the relations and items it changed.

      Examples:
        meetlog replay --as-of 2023-11-08
        meetlog replay --at-seq 5 --format ndjson
      """)

  @OptionGroup var store: StoreOptions
  @OptionGroup var point: PointOptions
  @OptionGroup var output: FormatOption

  @OptionGroup var weights: WeightsOption

  func run() throws {
    let point = try point.point()
    let scoreWeights = try weights.load()
    let store = try SQLiteEventStore(path: store.path, mode: .read)
    store.progress = ProgressLine.forStandardError("replaying")
    defer { store.progress?.finish() }
    var out = ""
    var first = true
    let colour = Terminal.colourStandardOutput
    if output.format == .json { out += "[\n" }
    if output.format == .markdown { out += "| SEQ | OCCURRED | TYPE | ID | CHANGES |\n|---:|---|---|---|---|\n" }
    _ = try ReplayQuery.run(store, point, weights: scoreWeights) { recorded, changes in
      switch output.format {
      case .json, .ndjson:
        let event = String(decoding: CanonicalEncoding.exportLine(recorded), as: UTF8.self)
        var c = JSONWriter()
        c.beginArray()
        for change in changes {
          c.beginObject()
          c.field("subject", change.subject)
          c.field("field", change.field)
          c.field("before", change.before)
          c.field("after", change.after)
          c.endObject()
        }
        c.endArray()
        let line = "{\"event\":\(event),\"changes\":\(c.string)}"
        if output.format == .json {
          out += (first ? "  " : ",\n  ") + line
        } else {
          out += line + "\n"
        }
      case .table:
        let type = TextStyle.blue.apply(recorded.event.type.rawValue, colour: colour)
        out += "\(recorded.seq)  \(recorded.event.occurredAt.display)  \(type)  \(recorded.event.id)\n"
        out += "    \(EventRenderer.summary(recorded.event).truncated(100))\n"
        for change in changes {
          out += "    \(change.subject) \(change.field): \(change.before ?? "–") → \(change.after ?? "–")\n"
        }
      case .markdown:
        let text = changes.map { "\($0.subject) \($0.field): \($0.before ?? "–") → \($0.after ?? "–")" }.joined(separator: "<br>")
        out +=
          "| \(recorded.seq) | \(recorded.event.occurredAt.display) | \(recorded.event.type.rawValue) | \(recorded.event.id) | \(text.replacingOccurrencesOfPipe()) |\n"
      }
      first = false
    }
    if output.format == .json { out += first ? "]\n" : "\n]\n" }
    store.progress?.finish()
    FileIO.writeStandardOutput(out)
  }
}

extension String {
  func replacingOccurrencesOfPipe() -> String {
    split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
  }
}
