/// Prints events for `log`, `replay` and `export`: a one-line summary for people,
/// the export form for scripts.
public enum EventRenderer {
  /// A short human summary of what the event records.
  public static func summary(_ event: Event) -> String {
    func who(_ a: Actor) -> String { "\(a.name) (\(a.country))" }
    switch event.body {
    case .meetingHeld(let m):
      var text = m.participants.map(who).joined(separator: ", ")
      if let place = m.place { text += " in \(place.city)" }
      if let title = m.title { text = "\(title): " + text }
      return text
    case .statementMade(let s): return "\(who(s.speaker)): \(s.text)"
    case .agreementPledged(let p):
      let towards = p.with.map { " → " + $0.joined(separator: ", ") } ?? ""
      return "\(p.parties.joined(separator: ", "))\(towards): \(p.summary)"
    case .thanksExpressed(let t): return "\(who(t.from)) thanks \(t.to) for \(t.reason)"
    case .itemUpdated(let u):
      var parts: [String] = []
      if let due = u.due { parts.append("due \(due.text)") }
      if let note = u.note { parts.append(note) }
      return "\(u.item): " + parts.joined(separator: "; ")
    case .itemResolved(let r):
      return "\(r.item): \(r.outcome.rawValue)" + (r.supersededBy.map { " by \($0)" } ?? "") + (r.note.map { "; \($0)" } ?? "")
    case .eventRetracted(let r): return "retracts \(r.target): \(r.reason)"
    }
  }

  public static func table(_ events: [RecordedEvent]) -> TextTable {
    var t = TextTable(headers: ["SEQ", "OCCURRED", "TYPE", "ID", "SUMMARY"], rightAligned: [0])
    for r in events {
      t.add(
        [String(r.seq), r.event.occurredAt.display, r.event.type.rawValue, r.event.id, summary(r.event).truncated(80)],
        styles: [2: r.event.type == .eventRetracted ? .red : .blue])
    }
    return t
  }

  public static func render(_ events: [RecordedEvent], format: OutputFormat, colour: Bool = false) -> String {
    switch format {
    case .ndjson:
      var out: [UInt8] = []
      for e in events {
        out += CanonicalEncoding.exportLine(e)
        out.append(0x0A)
      }
      return String(decoding: out, as: UTF8.self)
    case .json:
      var w = JSONWriter(indent: 2)
      w.beginArray()
      for e in events { w.raw(String(decoding: CanonicalEncoding.exportLine(e), as: UTF8.self)) }
      w.endArray()
      return w.string + "\n"
    case .table: return events.isEmpty ? "(no events)\n" : table(events).renderText(colour: colour)
    case .markdown: return events.isEmpty ? "(no events)\n" : table(events).renderMarkdown()
    }
  }
}
