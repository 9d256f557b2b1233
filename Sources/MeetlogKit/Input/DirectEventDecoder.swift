#if canImport(Glibc)
  import Glibc
#endif

/// Decodes one event straight from its JSON bytes, without building a `JSONValue` tree:
/// the fast path for input lines and stored payloads.
///
/// It handles the common case only (members in any order but `type` before `data`,
/// strings without escapes) and answers nil for anything else: an unusual shape, an
/// escape, or any fault. The caller then takes the general path (`JSONParser` and
/// `EventDecoder`), which accepts every valid event and words every error. The two
/// paths must agree: whenever this one returns an event, `EventDecoder` returns the same
/// event for the same bytes (a property test and the fuzz target check it).
public enum DirectEventDecoder {
  public static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> DecodedInput? {
    var cursor = ByteCursor(bytes)
    return cursor.event()
  }

  public static func decode(_ bytes: [UInt8]) -> DecodedInput? {
    bytes.withUnsafeBufferPointer { decode($0) }
  }
}

/// A position in JSON bytes, with readers that return nil instead of throwing.
struct ByteCursor {
  let bytes: UnsafeBufferPointer<UInt8>
  var i = 0

  init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

  mutating func skipSpace() {
    while i < bytes.count {
      let b = bytes[i]
      guard b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A else { return }
      i += 1
    }
  }

  /// Skips space, then consumes `byte` if it is next.
  mutating func take(_ byte: UInt8) -> Bool {
    skipSpace()
    guard i < bytes.count, bytes[i] == byte else { return false }
    i += 1
    return true
  }

  /// The raw bytes of a string without escapes (nil on an escape or a control character).
  mutating func rawString() -> UnsafeBufferPointer<UInt8>? {
    guard take(0x22) else { return nil }
    let start = i
    i = JSONStringScan.firstSpecial(bytes, from: start)
    guard i < bytes.count, bytes[i] == 0x22 else { return nil }
    i += 1
    return UnsafeBufferPointer(rebasing: bytes[start..<(i - 1)])
  }

  mutating func string() -> String? {
    guard let raw = rawString() else { return nil }
    var ascii = true
    for b in raw where b >= 0x80 {
      ascii = false
      break
    }
    if ascii { return String(decoding: raw, as: UTF8.self) }
    return String(validating: raw, as: UTF8.self)
  }

  /// Iterates the members of an object; `body` gets each key's bytes and must consume
  /// the value, returning false to give up.
  mutating func members(_ body: (inout ByteCursor, UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
    guard take(0x7B) else { return false }
    if take(0x7D) { return true }
    while true {
      guard let key = rawString(), take(0x3A) else { return false }
      skipSpace()
      guard body(&self, key) else { return false }
      if take(0x2C) { continue }
      return take(0x7D)
    }
  }

  /// Iterates the elements of an array; `body` consumes each one.
  mutating func elements(_ body: (inout ByteCursor) -> Bool) -> Bool {
    guard take(0x5B) else { return false }
    if take(0x5D) { return true }
    while true {
      skipSpace()
      guard body(&self) else { return false }
      if take(0x2C) { continue }
      return take(0x5D)
    }
  }

  mutating func strings() -> [String]? {
    var list: [String] = []
    let ok = elements { c in
      guard let s = c.string() else { return false }
      list.append(s)
      return true
    }
    return ok ? list : nil
  }

  // MARK: Values with their rules (the same as `EventDecoder`'s)

  mutating func text() -> String? {
    guard let s = string(), Rules.isText(s) else { return nil }
    return s
  }

  /// Checked on its bytes before a String is made (identifiers are ASCII).
  mutating func identifier() -> String? {
    guard let raw = rawString(), EventDecoder.isIdentifier(raw) else { return nil }
    return String(decoding: raw, as: UTF8.self)
  }

  mutating func country() -> String? {
    guard let raw = rawString(), CountryCode.isValid(raw) else { return nil }
    return String(decoding: raw, as: UTF8.self)
  }

  /// A list of distinct countries; an empty list is nil wrapped (`.some(nil)`).
  mutating func countries() -> [String]?? {
    var list: [String] = []
    let ok = elements { c in
      guard let code = c.country(), !list.contains(code) else { return false }
      list.append(code)
      return true
    }
    return ok ? .some(list.isEmpty ? nil : list) : nil
  }

  mutating func topics() -> [String]?? {
    guard let list = strings(), list.allSatisfy(Rules.isText) else { return nil }
    return .some(list.isEmpty ? nil : list)
  }

  mutating func day() -> CalendarDay? {
    guard let s = string(), case .success(let day) = Timestamp.parseCalendarDate(s) else { return nil }
    return CalendarDay(day: day, text: s)
  }

  mutating func actor() -> Actor? {
    var name: String?, role: String?, country: String?
    let ok = members { c, key in
      switch Key(key) {
      case .name where name == nil:
        name = c.text()
        return name != nil
      case .role where role == nil:
        role = c.text()
        return role != nil
      case .country where country == nil:
        country = c.country()
        return country != nil
      default: return false
      }
    }
    guard ok, let name, let country else { return nil }
    return Actor(name: name, role: role, country: country)
  }

  // MARK: The event

  mutating func event() -> DecodedInput? {
    var id: String?, type: EventType?, occurred: Timestamp?, source: String?, body: EventBody?
    var seen = 0
    let ok = members { c, key in
      let k = Key(key)
      guard k.rawValue < 64, seen & (1 << k.rawValue) == 0 else { return false }
      seen |= 1 << k.rawValue
      switch k {
      case .id: id = c.identifier()
      case .type:
        guard let raw = c.rawString(), let t = Self.eventType(raw) else { return false }
        type = t
        return true
      case .occurredAt:
        guard let s = c.string(), case .success(let t) = Timestamp.parse(s) else { return false }
        occurred = t
        return true
      case .source: source = c.text()
      case .data:
        guard let type else { return false }
        body = c.body(type)
        return body != nil
      default: return false
      }
      return k == .id ? id != nil : source != nil
    }
    skipSpace()
    guard ok, i == bytes.count, let occurred, let body else { return nil }
    return DecodedInput(event: Event(id: id ?? "", occurredAt: occurred, source: source, body: body), idGiven: id != nil)
  }

  /// The event type a raw `type` string names, matched without making a String.
  static func eventType(_ raw: UnsafeBufferPointer<UInt8>) -> EventType? {
    for (name, type) in typeNames where name.count == raw.count && name.elementsEqual(raw) { return type }
    return nil
  }

  private static let typeNames: [([UInt8], EventType)] = EventType.allCases.map { (Array($0.rawValue.utf8), $0) }

  mutating func body(_ type: EventType) -> EventBody? {
    var seen = 0
    var participants: [Actor]?, speaker: Actor?, from: Actor?, by: Actor?, place: Place?
    var meeting: String?, title: String?, host: String?, format: MeetingFormat?, topics: [String]?
    var text: String?, about: [String]?, summary: String?, parties: [String]?, with: [String]?
    var item: String?, due: CalendarDay?, to: String?, reason: String?, note: String?
    var outcome: Outcome?, supersededBy: String?, target: String?
    let allowed = Key.allowed(in: type)
    let ok = members { c, key in
      let k = Key(key)
      guard allowed & (1 << k.rawValue) != 0, seen & (1 << k.rawValue) == 0 else { return false }
      seen |= 1 << k.rawValue
      switch k {
      case .participants:
        var list: [Actor] = []
        guard
          c.elements({ c in
            guard let a = c.actor() else { return false }
            list.append(a)
            return true
          })
        else { return false }
        participants = list
        return true
      case .speaker: speaker = c.actor(); return speaker != nil
      case .from: from = c.actor(); return from != nil
      case .by: by = c.actor(); return by != nil
      case .place:
        var city: String?, country: String?
        let ok = c.members { c, key in
          switch Key(key) {
          case .city where city == nil:
            city = c.text()
            return city != nil
          case .country where country == nil:
            country = c.country()
            return country != nil
          default: return false
          }
        }
        guard ok, let city, let country else { return false }
        place = Place(city: city, country: country)
        return true
      case .meeting: meeting = c.identifier(); return meeting != nil
      case .title: title = c.text(); return title != nil
      case .host: host = c.country(); return host != nil
      case .format:
        format = c.string().flatMap(MeetingFormat.init(rawValue:))
        return format != nil
      case .topics:
        guard let list = c.topics() else { return false }
        topics = list
        return true
      case .text: text = c.text(); return text != nil
      case .about:
        guard let list = c.countries() else { return false }
        about = list
        return true
      case .summary: summary = c.text(); return summary != nil
      case .parties:
        guard let list = c.countries(), let list else { return false }
        parties = list
        return true
      case .with:
        guard let list = c.countries() else { return false }
        with = list
        return true
      case .item: item = c.identifier(); return item != nil
      case .due: due = c.day(); return due != nil
      case .to: to = c.country(); return to != nil
      case .for: reason = c.text(); return reason != nil
      case .note: note = c.text(); return note != nil
      case .outcome:
        outcome = c.string().flatMap(Outcome.init(rawValue:))
        return outcome != nil
      case .supersededBy: supersededBy = c.identifier(); return supersededBy != nil
      case .target: target = c.identifier(); return target != nil
      case .reason: reason = c.text(); return reason != nil
      default: return false
      }
    }
    guard ok else { return nil }
    switch type {
    case .meetingHeld:
      // At least two countries among the participants.
      guard let participants, let first = participants.first?.country, participants.contains(where: { $0.country != first })
      else { return nil }
      return .meetingHeld(
        MeetingHeld(participants: participants, meeting: meeting, title: title, place: place, host: host, format: format, topics: topics))
    case .statementMade:
      guard let speaker, let text else { return nil }
      return .statementMade(StatementMade(speaker: speaker, text: text, meeting: meeting, about: about, topics: topics))
    case .agreementPledged:
      guard let summary, let parties else { return nil }
      if let with, with.contains(where: parties.contains) { return nil }
      return .agreementPledged(
        AgreementPledged(
          summary: summary, parties: parties, with: with, item: item, by: by, due: due, meeting: meeting, topics: topics))
    case .thanksExpressed:
      guard let from, let to, let reason else { return nil }
      return .thanksExpressed(ThanksExpressed(from: from, to: to, reason: reason, meeting: meeting))
    case .itemUpdated:
      guard let item, due != nil || note != nil else { return nil }
      return .itemUpdated(ItemUpdated(item: item, due: due, note: note))
    case .itemResolved:
      guard let item, let outcome else { return nil }
      if supersededBy != nil && outcome != .superseded { return nil }
      return .itemResolved(ItemResolved(item: item, outcome: outcome, note: note, supersededBy: supersededBy))
    case .eventRetracted:
      guard let target, let reason else { return nil }
      return .eventRetracted(EventRetracted(target: target, reason: reason))
    }
  }
}

private enum Rules {
  /// A string with at least one non-space character (`EventDecoder`'s rule for text).
  static func isText(_ s: String) -> Bool {
    for b in s.utf8 where b > 0x20 && b < 0x7F { return true }
    return !s.allSatisfy(\.isWhitespace)
  }
}

/// Every member name the SPEC defines, matched from raw bytes without making a String.
enum Key: Int, CaseIterable {
  case unknown = 63
  case id = 0, type, occurredAt, source, data
  case participants, meeting, title, place, host, format, topics
  case speaker, text, about, summary, parties, with, item, by, due
  case from, to, `for`, note, outcome, supersededBy, target, reason
  case name, role, country, city

  /// The member name (a switch, not a table: reading a global costs a `swift_once`
  /// call, and a key is read for every member of every event decoded).
  var name: StaticString {
    switch self {
    case .unknown: ""
    case .id: "id"
    case .type: "type"
    case .occurredAt: "occurred_at"
    case .source: "source"
    case .data: "data"
    case .participants: "participants"
    case .meeting: "meeting"
    case .title: "title"
    case .place: "place"
    case .host: "host"
    case .format: "format"
    case .topics: "topics"
    case .speaker: "speaker"
    case .text: "text"
    case .about: "about"
    case .summary: "summary"
    case .parties: "parties"
    case .with: "with"
    case .item: "item"
    case .by: "by"
    case .due: "due"
    case .from: "from"
    case .to: "to"
    case .for: "for"
    case .note: "note"
    case .outcome: "outcome"
    case .supersededBy: "superseded_by"
    case .target: "target"
    case .reason: "reason"
    case .name: "name"
    case .role: "role"
    case .country: "country"
    case .city: "city"
    }
  }

  /// The candidate key of a name by its length and first two bytes (a key is read
  /// for every member of every event decoded: one table read and one comparison, not
  /// a comparison with each name).
  private static func slot(count: Int, _ first: UInt8, _ second: UInt8) -> Int {
    (count & 15) << 10 | Int(first & 31) << 5 | Int(second & 31)
  }

  private static let candidates: [UInt8] = {
    var table = [UInt8](repeating: UInt8(Key.unknown.rawValue), count: 1 << 14)
    for key in allCases where key != .unknown {
      let name = key.name
      let bytes = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
      let slot = slot(count: bytes.count, bytes[0], bytes[1])
      precondition(table[slot] == UInt8(Key.unknown.rawValue), "two keys share a slot")
      table[slot] = UInt8(key.rawValue)
    }
    return table
  }()

  init(_ raw: UnsafeBufferPointer<UInt8>) {
    self = .unknown
    guard raw.count >= 2, raw.count < 16,
      let key = Key(rawValue: Int(Self.candidates[Self.slot(count: raw.count, raw[0], raw[1])])), key != .unknown
    else { return }
    let name = key.name
    if name.utf8CodeUnitCount == raw.count && memcmp(name.utf8Start, raw.baseAddress!, raw.count) == 0 { self = key }
  }

  /// The bit set of the `data` members a type allows (`EventDecoder.dataKeys`): a
  /// switch of constants, read once per event decoded.
  static func allowed(in type: EventType) -> Int {
    switch type {
    case .meetingHeld: bits(.participants, .meeting, .title, .place, .host, .format, .topics)
    case .statementMade: bits(.speaker, .text, .meeting, .about, .topics)
    case .agreementPledged: bits(.summary, .parties, .with, .item, .by, .due, .meeting, .topics)
    case .thanksExpressed: bits(.from, .to, .for, .meeting)
    case .itemUpdated: bits(.item, .due, .note)
    case .itemResolved: bits(.item, .outcome, .note, .supersededBy)
    case .eventRetracted: bits(.target, .reason)
    }
  }

  @inline(__always)
  private static func bits(
    _ a: Key, _ b: Key, _ c: Key? = nil, _ d: Key? = nil, _ e: Key? = nil, _ f: Key? = nil, _ g: Key? = nil, _ h: Key? = nil
  ) -> Int {
    bit(a) | bit(b) | bit(c) | bit(d) | bit(e) | bit(f) | bit(g) | bit(h)
  }

  @inline(__always)
  private static func bit(_ key: Key?) -> Int { key.map { 1 << $0.rawValue } ?? 0 }
}
