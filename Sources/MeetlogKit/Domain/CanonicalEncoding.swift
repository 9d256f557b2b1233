/// The one serialisation of an event: compact JSON, keys in the SPEC's order, absent
/// optional fields left out.
///
/// These bytes are what the store compresses and what the hash chain covers, so they
/// must depend on nothing but the event: not on compression, dictionaries, input
/// whitespace or key order. Export writes the same form with `seq` and `recorded_at`
/// in front, which is why import reproduces it byte for byte.
public enum CanonicalEncoding {
  public static func bytes(_ event: Event) -> [UInt8] {
    var writer = JSONWriter()
    write(event, into: &writer)
    return writer.bytes
  }

  /// The export line of a recorded event (without the newline).
  public static func exportLine(_ recorded: RecordedEvent) -> [UInt8] {
    var writer = JSONWriter()
    write(recorded.event, into: &writer) { w in
      w.key("seq")
      w.int(recorded.seq)
      w.field("recorded_at", recorded.recordedAt.text)
    }
    return writer.bytes
  }

  /// Writes the event object; `prefix` adds members before `id`.
  public static func write(_ event: Event, into w: inout JSONWriter, prefix: ((inout JSONWriter) -> Void)? = nil) {
    w.beginObject()
    prefix?(&w)
    w.field("id", event.id)
    w.field("type", event.type.rawValue)
    w.field("occurred_at", event.occurredAt.text)
    if let source = event.source { w.field("source", source) }
    w.key("data")
    writeData(event.body, into: &w)
    w.endObject()
  }

  public static func writeData(_ body: EventBody, into w: inout JSONWriter) {
    w.beginObject()
    switch body {
    case .meetingHeld(let m):
      w.key("participants")
      w.beginArray()
      for p in m.participants { write(p, into: &w) }
      w.endArray()
      optional(&w, "meeting", m.meeting)
      optional(&w, "title", m.title)
      if let place = m.place {
        w.key("place")
        w.beginObject()
        w.field("city", place.city)
        w.field("country", place.country)
        w.endObject()
      }
      optional(&w, "host", m.host)
      optional(&w, "format", m.format?.rawValue)
      optionalList(&w, "topics", m.topics)
    case .statementMade(let s):
      w.key("speaker")
      write(s.speaker, into: &w)
      w.field("text", s.text)
      optional(&w, "meeting", s.meeting)
      optionalList(&w, "about", s.about)
      optionalList(&w, "topics", s.topics)
    case .agreementPledged(let p):
      w.field("summary", p.summary)
      w.field("parties", strings: p.parties)
      optionalList(&w, "with", p.with)
      optional(&w, "item", p.item)
      if let by = p.by {
        w.key("by")
        write(by, into: &w)
      }
      optional(&w, "due", p.due?.text)
      optional(&w, "meeting", p.meeting)
      optionalList(&w, "topics", p.topics)
    case .thanksExpressed(let t):
      w.key("from")
      write(t.from, into: &w)
      w.field("to", t.to)
      w.field("for", t.reason)
      optional(&w, "meeting", t.meeting)
    case .itemUpdated(let u):
      w.field("item", u.item)
      optional(&w, "due", u.due?.text)
      optional(&w, "note", u.note)
    case .itemResolved(let r):
      w.field("item", r.item)
      w.field("outcome", r.outcome.rawValue)
      optional(&w, "note", r.note)
      optional(&w, "superseded_by", r.supersededBy)
    case .eventRetracted(let r):
      w.field("target", r.target)
      w.field("reason", r.reason)
    }
    w.endObject()
  }

  static func write(_ actor: Actor, into w: inout JSONWriter) {
    w.beginObject()
    w.field("name", actor.name)
    if let role = actor.role { w.field("role", role) }
    w.field("country", actor.country)
    w.endObject()
  }

  private static func optional(_ w: inout JSONWriter, _ key: String, _ value: String?) {
    if let value { w.field(key, value) }
  }

  private static func optionalList(_ w: inout JSONWriter, _ key: String, _ value: [String]?) {
    if let value { w.field(key, strings: value) }
  }
}
