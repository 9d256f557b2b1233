/// The one serialisation of an event: compact JSON, keys in the SPEC's order, absent
/// optional fields left out.
///
/// These bytes are what the store compresses and what the hash chain covers, so they
/// must depend on nothing but the event: not on compression, dictionaries, input
/// whitespace or key order. Export writes the same form with `seq` and `recorded_at`
/// in front, which is why import reproduces it byte for byte.
public enum CanonicalEncoding {
  public static func bytes(_ event: Event) -> [UInt8] {
    var w = CanonicalWriter()
    w.event(event)
    return w.bytes
  }

  /// Writes the canonical form into `bytes`, replacing what it held (its capacity is
  /// kept: `verify` re-encodes every event into one buffer).
  static func write(_ event: Event, into bytes: inout [UInt8]) {
    var w = CanonicalWriter(reusing: &bytes)
    w.event(event)
    bytes = w.bytes
  }

  /// The export line of a recorded event (without the newline): the canonical form with
  /// `seq` and `recorded_at` in front.
  public static func exportLine(_ recorded: RecordedEvent) -> [UInt8] {
    var w = CanonicalWriter()
    w.raw(#"{"seq":"#)
    JSONWriter.appendDecimal(UInt64(max(recorded.seq, 0)), to: &w.bytes)
    w.raw(#","recorded_at":"#)
    w.string(recorded.recordedAt.text)
    w.raw(",")
    w.event(recorded.event, opened: true)
    return w.bytes
  }

  /// An actor as the canonical form writes it, for output written with a `JSONWriter`.
  static func write(_ actor: Actor, into w: inout JSONWriter) {
    w.beginObject()
    w.field("name", actor.name)
    if let role = actor.role { w.field("role", role) }
    w.field("country", actor.country)
    w.endObject()
  }
}

/// Writes the canonical form's compact JSON straight into bytes: each member is one
/// append of its key with the punctuation around it (`,"title":`) and one of its value.
/// The general `JSONWriter` kept a stack of open containers and wrote a member in
/// several appends; the canonical form of every appended event was a fifth of a large append's
/// checking thread (callgrind).
struct CanonicalWriter {
  var bytes: [UInt8] = []

  init() { bytes.reserveCapacity(512) }

  /// Takes over `buffer`'s storage, emptied, leaving `buffer` empty.
  init(reusing buffer: inout [UInt8]) {
    swap(&bytes, &buffer)
    bytes.removeAll(keepingCapacity: true)
  }

  mutating func raw(_ text: StaticString) {
    bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  mutating func string(_ value: String) { JSONWriter.appendQuoted(value, to: &bytes) }

  /// `key` (with its comma and colon) and the value, when there is one.
  mutating func optional(_ key: StaticString, _ value: String?) {
    guard let value else { return }
    raw(key)
    string(value)
  }

  mutating func list(_ values: [String]) {
    bytes.append(UInt8(ascii: "["))
    for (n, value) in values.enumerated() {
      if n > 0 { bytes.append(UInt8(ascii: ",")) }
      string(value)
    }
    bytes.append(UInt8(ascii: "]"))
  }

  mutating func optionalList(_ key: StaticString, _ values: [String]?) {
    guard let values else { return }
    raw(key)
    list(values)
  }

  /// The event object; `opened` when its `{` is already written (an export line).
  mutating func event(_ event: Event, opened: Bool = false) {
    if !opened { raw("{") }
    raw(#""id":"#)
    string(event.id)
    raw(#","type":""#)
    bytes.append(contentsOf: event.type.rawValue.utf8)
    raw(#"","occurred_at":"#)
    string(event.occurredAt.text)
    optional(#","source":"#, event.source)
    raw(#","data":"#)
    data(event.body)
    raw("}")
  }

  mutating func data(_ body: EventBody) {
    switch body {
    case .meetingHeld(let m):
      raw(#"{"participants":["#)
      for (n, p) in m.participants.enumerated() {
        if n > 0 { raw(",") }
        actor(p)
      }
      raw("]")
      optional(#","meeting":"#, m.meeting)
      optional(#","title":"#, m.title)
      if let place = m.place {
        raw(#","place":{"city":"#)
        string(place.city)
        raw(#","country":"#)
        string(place.country)
        raw("}")
      }
      optional(#","host":"#, m.host)
      optional(#","format":"#, m.format?.rawValue)
      optionalList(#","topics":"#, m.topics)
    case .statementMade(let s):
      raw(#"{"speaker":"#)
      actor(s.speaker)
      raw(#","text":"#)
      string(s.text)
      optional(#","meeting":"#, s.meeting)
      optionalList(#","about":"#, s.about)
      optionalList(#","topics":"#, s.topics)
    case .agreementPledged(let p):
      raw(#"{"summary":"#)
      string(p.summary)
      raw(#","parties":"#)
      list(p.parties)
      optionalList(#","with":"#, p.with)
      optional(#","item":"#, p.item)
      if let by = p.by {
        raw(#","by":"#)
        actor(by)
      }
      optional(#","due":"#, p.due?.text)
      optional(#","meeting":"#, p.meeting)
      optionalList(#","topics":"#, p.topics)
    case .thanksExpressed(let t):
      raw(#"{"from":"#)
      actor(t.from)
      raw(#","to":"#)
      string(t.to)
      raw(#","for":"#)
      string(t.reason)
      optional(#","meeting":"#, t.meeting)
    case .itemUpdated(let u):
      raw(#"{"item":"#)
      string(u.item)
      optional(#","due":"#, u.due?.text)
      optional(#","note":"#, u.note)
    case .itemResolved(let r):
      raw(#"{"item":"#)
      string(r.item)
      raw(#","outcome":"#)
      string(r.outcome.rawValue)
      optional(#","note":"#, r.note)
      optional(#","superseded_by":"#, r.supersededBy)
    case .eventRetracted(let r):
      raw(#"{"target":"#)
      string(r.target)
      raw(#","reason":"#)
      string(r.reason)
    }
    raw("}")
  }

  mutating func actor(_ actor: Actor) {
    raw(#"{"name":"#)
    string(actor.name)
    optional(#","role":"#, actor.role)
    raw(#","country":"#)
    string(actor.country)
    raw("}")
  }
}
