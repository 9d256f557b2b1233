#if canImport(Glibc)
  import Glibc
#endif

/// `verify`'s fast path for one stored payload: reads the bytes once, in the canonical
/// form's member order, and answers what the row check needs (type, time, reference
/// facts) only when the bytes are certainly the canonical form of a valid event. It
/// makes Strings only for the ids the reference rules read.
///
/// Nil means "not sure", never "invalid": an escape in a string, non-ASCII text without
/// a visible ASCII character, a member out of place, anything unusual. The caller then
/// takes the full path (decode into an `Event`, re-encode, compare), which says exactly
/// what is wrong, if anything. So this path may only ever accept bytes the full path
/// accepts with the same answers: a property test feeds it canonical payloads and
/// mutations of them and compares. Decoding every event into Strings and re-encoding it
/// was 2.7 of the row checker's 3.0 billion instructions at 100,000 events (callgrind).
///
/// The rules are `DirectEventDecoder`'s (which `EventDecoder` agrees with) and the order
/// is `CanonicalWriter`'s: the strings of the canonical form are the decoded values'
/// bytes, escaped only at `"`, `\` and control characters, which this path declines.
enum CanonicalCheck {
  struct Checked {
    var type: EventType
    var occurredMicros: Int64
    var facts: ReferenceFacts
  }

  static func check(_ bytes: UnsafeBufferPointer<UInt8>) -> Checked? {
    var c = StrictCursor(bytes)
    guard c.literal(#"{"id":"#), let id = c.identifier(), c.literal(#","type":"#), let rawType = c.rawString(),
      let type = FoldDecoder.eventType(rawType), c.literal(#","occurred_at":"#), let occurred = c.timestamp()
    else { return nil }
    if c.literal(#","source":"#) { guard c.text() else { return nil } }
    guard c.literal(#","data":"#) else { return nil }
    let idText = String(decoding: id, as: UTF8.self)
    var facts = ReferenceFacts(id: idText, type: type, occurredMicros: occurred.micros, occurredIsDate: occurred.isDate)
    guard c.body(type, id: idText, facts: &facts), c.literal("}"), c.atEnd else { return nil }
    return Checked(type: type, occurredMicros: occurred.micros, facts: facts)
  }
}

/// A position in canonical bytes: every reader matches exactly (no whitespace is
/// skipped) and consumes nothing when it answers false or nil.
private struct StrictCursor {
  let bytes: UnsafeBufferPointer<UInt8>
  var i = 0

  init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  var atEnd: Bool { i == bytes.count }

  /// Consumes `text` if the bytes continue with it.
  mutating func literal(_ text: StaticString) -> Bool {
    let n = text.utf8CodeUnitCount
    guard bytes.count - i >= n, memcmp(bytes.baseAddress! + i, text.utf8Start, n) == 0 else { return false }
    i += n
    return true
  }

  /// A string's bytes, when it has no escape and no control character.
  mutating func rawString() -> UnsafeBufferPointer<UInt8>? {
    guard i < bytes.count, bytes[i] == 0x22 else { return nil }
    let end = JSONStringScan.firstSpecial(bytes, from: i + 1)
    guard end < bytes.count, bytes[end] == 0x22 else { return nil }
    defer { i = end + 1 }
    return UnsafeBufferPointer(rebasing: bytes[(i + 1)..<end])
  }

  /// A string whose bytes pass `valid`; consumes nothing otherwise.
  mutating func string(where valid: (UnsafeBufferPointer<UInt8>) -> Bool) -> UnsafeBufferPointer<UInt8>? {
    let start = i
    guard let raw = rawString(), valid(raw) else {
      i = start
      return nil
    }
    return raw
  }

  /// Text: valid UTF-8 with a visible ASCII character (text without one is left to the
  /// full path, which decides whether it is blank).
  mutating func text() -> Bool { string(where: Self.isText) != nil }

  private static func isText(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
    // A visible ASCII character, usually the first.
    guard raw.contains(where: { $0 > 0x20 && $0 < 0x7F }) else { return false }
    // ASCII throughout, eight bytes at a time; else valid UTF-8.
    var k = 0
    if let base = raw.baseAddress {
      let bytes = UnsafeRawPointer(base)
      while k + 8 <= raw.count, bytes.loadUnaligned(fromByteOffset: k, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { k += 8 }
    }
    while k < raw.count, raw[k] < 0x80 { k += 1 }
    return k == raw.count || isValidUTF8(raw)
  }

  private static func isValidUTF8(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
    var parser = Unicode.UTF8.ForwardParser()
    var input = raw.makeIterator()
    while true {
      switch parser.parseScalar(from: &input) {
      case .valid: continue
      case .emptyInput: return true
      case .error: return false
      }
    }
  }

  mutating func identifier() -> UnsafeBufferPointer<UInt8>? { string(where: EventDecoder.isIdentifier) }

  mutating func country() -> UnsafeBufferPointer<UInt8>? { string(where: CountryCode.isValid) }

  /// The time as `Timestamp` reads it, when its text is already the canonical one (a
  /// `t` or `z` in lower case is not).
  mutating func timestamp() -> Timestamp? {
    guard let raw = rawString(), case .success(let t) = Timestamp.parse(String(decoding: raw, as: UTF8.self)),
      t.text.utf8.elementsEqual(raw)
    else { return nil }
    return t
  }

  mutating func day() -> Bool {
    guard let raw = rawString(), case .success = Timestamp.parseCalendarDate(String(decoding: raw, as: UTF8.self)) else { return false }
    return true
  }

  /// A list of distinct countries, not empty (the canonical form leaves an empty list out).
  mutating func countries() -> [UnsafeBufferPointer<UInt8>]? {
    guard literal("[") else { return nil }
    var list: [UnsafeBufferPointer<UInt8>] = []
    repeat {
      guard let code = country(), !list.contains(where: { $0.elementsEqual(code) }) else { return nil }
      list.append(code)
    } while literal(",")
    return literal("]") ? list : nil
  }

  /// A list of texts, not empty.
  mutating func texts() -> Bool {
    guard literal("[") else { return false }
    repeat {
      guard text() else { return false }
    } while literal(",")
    return literal("]")
  }

  /// An actor; its country.
  mutating func actor() -> UnsafeBufferPointer<UInt8>? {
    guard literal(#"{"name":"#), text() else { return nil }
    if literal(#","role":"#) { guard text() else { return nil } }
    guard literal(#","country":"#), let country = country(), literal("}") else { return nil }
    return country
  }

  /// An optional member holding an id; false when it is there but not an id.
  mutating func optionalId(_ key: StaticString, into value: inout String?) -> Bool {
    guard literal(key) else { return true }
    guard let raw = identifier() else { return false }
    value = String(decoding: raw, as: UTF8.self)
    return true
  }

  /// The `data` object of an event of `type`, in the canonical form's member order.
  mutating func body(_ type: EventType, id: String, facts: inout ReferenceFacts) -> Bool {
    switch type {
    case .meetingHeld:
      guard literal(#"{"participants":["#) else { return false }
      var countries: [UnsafeBufferPointer<UInt8>] = []
      repeat {
        guard let country = actor() else { return false }
        countries.append(country)
      } while literal(",")
      // At least two countries among the participants.
      guard literal("]"), countries.contains(where: { !$0.elementsEqual(countries[0]) }) else { return false }
      var meeting: String?
      guard optionalId(#","meeting":"#, into: &meeting) else { return false }
      if literal(#","title":"#) { guard text() else { return false } }
      if literal(#","place":{"city":"#) {
        guard text(), literal(#","country":"#), country() != nil, literal("}") else { return false }
      }
      if literal(#","host":"#) { guard country() != nil else { return false } }
      if literal(#","format":"#) {
        guard let raw = rawString(), MeetingFormat(rawValue: String(decoding: raw, as: UTF8.self)) != nil else { return false }
      }
      if literal(#","topics":"#) { guard texts() else { return false } }
      facts.defines = (.meeting, meeting ?? id)
    case .statementMade:
      guard literal(#"{"speaker":"#), actor() != nil, literal(#","text":"#), text(),
        optionalId(#","meeting":"#, into: &facts.meeting)
      else { return false }
      if literal(#","about":"#) { guard countries() != nil else { return false } }
      if literal(#","topics":"#) { guard texts() else { return false } }
    case .agreementPledged:
      guard literal(#"{"summary":"#), text(), literal(#","parties":"#), let parties = countries() else { return false }
      if literal(#","with":"#) {
        guard let with = countries(), !with.contains(where: { w in parties.contains { $0.elementsEqual(w) } }) else { return false }
      }
      var item: String?
      guard optionalId(#","item":"#, into: &item) else { return false }
      if literal(#","by":"#) { guard actor() != nil else { return false } }
      if literal(#","due":"#) { guard day() else { return false } }
      guard optionalId(#","meeting":"#, into: &facts.meeting) else { return false }
      if literal(#","topics":"#) { guard texts() else { return false } }
      facts.defines = (.item, item ?? id)
    case .thanksExpressed:
      guard literal(#"{"from":"#), actor() != nil, literal(#","to":"#), country() != nil, literal(#","for":"#), text(),
        optionalId(#","meeting":"#, into: &facts.meeting)
      else { return false }
    case .itemUpdated:
      guard literal(#"{"item":"#), optionalIdRequired(into: &facts.item) else { return false }
      let due = literal(#","due":"#)
      if due { guard day() else { return false } }
      let note = literal(#","note":"#)
      if note { guard text() else { return false } }
      guard due || note else { return false }
    case .itemResolved:
      guard literal(#"{"item":"#), optionalIdRequired(into: &facts.item), literal(#","outcome":"#), let raw = rawString(),
        let outcome = Outcome(rawValue: String(decoding: raw, as: UTF8.self))
      else { return false }
      if literal(#","note":"#) { guard text() else { return false } }
      guard optionalId(#","superseded_by":"#, into: &facts.supersededBy) else { return false }
      if facts.supersededBy != nil && outcome != .superseded { return false }
    case .eventRetracted:
      guard literal(#"{"target":"#), optionalIdRequired(into: &facts.target), literal(#","reason":"#), text() else { return false }
    }
    return literal("}")
  }

  /// An id that must be here (its key already read).
  private mutating func optionalIdRequired(into value: inout String?) -> Bool {
    guard let raw = identifier() else { return false }
    value = String(decoding: raw, as: UTF8.self)
    return true
  }
}
