#if canImport(Glibc)
  import Glibc
#endif

/// A country as a small integer: `(first letter − A) × 26 + (second − A)`, so integer
/// order is the codes' alphabetical order.
typealias CountryIndex = UInt16

/// A pair of countries as one integer, the smaller index first.
typealias PairIndex = UInt32

enum CountryIndexing {
  static func index(_ code: String) -> CountryIndex {
    let u = Array(code.utf8)
    return CountryIndex(u[0] &- 65) &* 26 &+ CountryIndex(u[1] &- 65)
  }

  static func code(_ index: CountryIndex) -> String {
    String(decoding: [UInt8(index / 26) + 65, UInt8(index % 26) + 65], as: UTF8.self)
  }

  static func pair(_ a: CountryIndex, _ b: CountryIndex) -> PairIndex {
    a < b ? PairIndex(a) << 16 | PairIndex(b) : PairIndex(b) << 16 | PairIndex(a)
  }

  /// The five bytes of `pairKey`, for writers that copy bytes.
  static func pairBytes(_ pair: PairIndex) -> (UInt8, UInt8, UInt8, UInt8, UInt8) {
    let (a, b) = (CountryIndex(pair >> 16), CountryIndex(pair & 0xFFFF))
    return (UInt8(a / 26) + 65, UInt8(a % 26) + 65, UInt8(ascii: "-"), UInt8(b / 26) + 65, UInt8(b % 26) + 65)
  }

  static func pairKey(_ pair: PairIndex) -> String {
    code(CountryIndex(pair >> 16)) + "-" + code(CountryIndex(pair & 0xFFFF))
  }
}

extension FoldEvent {
  /// Maps its topic and city indexes: from the tables it was decoded with to the
  /// fold's (`AppendedFold`).
  mutating func remap(topic: (Int32) -> Int32, city: (Int32) -> Int32) {
    switch body {
    case .meeting(let countries, let c, var topics):
      for k in topics.indices { topics[k] = topic(topics[k]) }
      body = .meeting(countries: countries, city: c.map(city), topics: topics)
    case .statement(let speaker, let about, var topics):
      for k in topics.indices { topics[k] = topic(topics[k]) }
      body = .statement(speaker: speaker, about: about, topics: topics)
    case .pledge(var pledge):
      for k in pledge.topics.indices { pledge.topics[k] = topic(pledge.topics[k]) }
      body = .pledge(pledge)
    case .thanks, .updated, .resolved: break
    }
  }
}

/// Interns strings the fold counts or repeats (topics, cities) as small integers, looked
/// up from raw bytes without making a String on a hit: an open-addressing table of
/// indexes by FNV-1a of the bytes (a `[UInt64: [Int32]]` cost a SipHash and an array's
/// retain per lookup, three lookups an event).
struct StringTable {
  private(set) var strings: [String] = []
  /// Each string's hash, to place it again when the table grows.
  private var hashes: [UInt64] = []
  /// Per entry: 0 empty, else the index + 1 of a string.
  private var table: [Int32] = []

  mutating func intern(_ raw: UnsafeBufferPointer<UInt8>) -> Int32 {
    let hash = FNV1a.hash(raw)
    if !table.isEmpty {
      let mask = table.count - 1
      var at = Int(truncatingIfNeeded: hash ^ hash >> 29) & mask
      while table[at] != 0 {
        let index = table[at] - 1
        if hashes[Int(index)] == hash && Self.same(strings[Int(index)], raw) { return index }
        at = (at + 1) & mask
      }
    }
    let index = Int32(strings.count)
    strings.append(String(decoding: raw, as: UTF8.self))
    hashes.append(hash)
    if strings.count * 2 > table.count {
      table = [Int32](repeating: 0, count: max(64, table.count * 2))
      for k in hashes.indices { place(Int32(k)) }
    } else {
      place(index)
    }
    return index
  }

  private mutating func place(_ index: Int32) {
    let hash = hashes[Int(index)]
    let mask = table.count - 1
    var at = Int(truncatingIfNeeded: hash ^ hash >> 29) & mask
    while table[at] != 0 { at = (at + 1) & mask }
    table[at] = index + 1
  }

  mutating func intern(_ string: String) -> Int32 {
    var copy = string
    return copy.withUTF8 { intern($0) }
  }

  subscript(index: Int32) -> String { strings[Int(index)] }

  /// `memcmp` on the String's own bytes (native Strings have them in one piece):
  /// `utf8.elementsEqual` compared byte by byte through the generic view, 2% of a replay.
  private static func same(_ string: String, _ raw: UnsafeBufferPointer<UInt8>) -> Bool {
    let contiguous = string.utf8.withContiguousStorageIfAvailable { bytes in
      bytes.count == raw.count && (raw.count == 0 || memcmp(bytes.baseAddress!, raw.baseAddress!, raw.count) == 0)
    }
    return contiguous ?? string.utf8.elementsEqual(raw)
  }
}

/// What the fold needs of one event: countries as integers, topics and cities interned,
/// and only the strings the state shows (item ids, a pledge's summary, `by` and meeting).
struct FoldEvent {
  enum Body {
    case meeting(countries: [CountryIndex], city: Int32?, topics: [Int32])
    case statement(speaker: CountryIndex, about: [CountryIndex], topics: [Int32])
    case pledge(Pledge)
    case thanks(from: CountryIndex, to: CountryIndex)
    case updated(item: String, due: CalendarDay?)
    case resolved(item: String, outcome: Outcome)
  }

  struct Pledge {
    /// The pledge's seq: a snapshot keeps it instead of the texts, read back when printed.
    var seq: Int64
    var id: String
    var summary: String
    var parties: [CountryIndex]
    var with: [CountryIndex]
    var item: String?
    var by: Actor?
    var due: CalendarDay?
    var meeting: String?
    var topics: [Int32]
  }

  var micros: Int64
  var isDate: Bool
  var body: Body

  var day: Int { Int(floorDiv(micros, Timestamp.microsPerDay)) }

  /// The same event, from a decoded `Event` (the path for payloads the fast reader
  /// leaves to the general decoder, and for tests). Nil for a retraction.
  init?(_ event: Event, seq: Int64, topics: inout StringTable, cities: inout StringTable) {
    micros = event.occurredAt.micros
    isDate = event.occurredAt.isDate
    func indexes(_ list: [String]?) -> [CountryIndex] { (list ?? []).map(CountryIndexing.index) }
    func interned(_ list: [String]?) -> [Int32] { (list ?? []).map { topics.intern($0) } }
    switch event.body {
    case .meetingHeld(let m):
      body = .meeting(
        countries: m.participants.map { CountryIndexing.index($0.country) }, city: m.place.map { cities.intern($0.city) },
        topics: interned(m.topics))
    case .statementMade(let s):
      body = .statement(speaker: CountryIndexing.index(s.speaker.country), about: indexes(s.about), topics: interned(s.topics))
    case .agreementPledged(let p):
      body = .pledge(
        Pledge(
          seq: seq, id: event.id, summary: p.summary, parties: indexes(p.parties), with: indexes(p.with), item: p.item, by: p.by,
          due: p.due,
          meeting: p.meeting, topics: interned(p.topics)))
    case .thanksExpressed(let t): body = .thanks(from: CountryIndexing.index(t.from.country), to: CountryIndexing.index(t.to))
    case .itemUpdated(let u): body = .updated(item: u.item, due: u.due)
    case .itemResolved(let r): body = .resolved(item: r.item, outcome: r.outcome)
    case .eventRetracted: return nil
    }
  }

  init(micros: Int64, isDate: Bool, body: Body) {
    self.micros = micros
    self.isDate = isDate
    self.body = body
  }
}

/// Reads a `FoldEvent` straight from canonical bytes, skipping what the fold does not
/// use (quotes, names, titles, sources, notes). Nil for anything unusual — an escape in
/// a string it keeps, an unexpected shape — and the caller decodes the whole event.
enum FoldDecoder {
  static func decode(
    _ bytes: UnsafeBufferPointer<UInt8>, seq: Int64, topics: inout StringTable, cities: inout StringTable
  ) -> FoldEvent? {
    var c = ByteCursor(bytes)
    var id: UnsafeBufferPointer<UInt8>?, type: EventType?, micros: Int64 = 0, isDate = false, haveTime = false
    var body: FoldEvent.Body?
    let ok = c.members { c, key in
      switch Key(key) {
      case .id:
        id = c.rawString()
        return id != nil
      case .type:
        guard let raw = c.rawString(), let t = eventType(raw) else { return false }
        type = t
      case .occurredAt:
        guard let raw = c.rawString() else { return false }
        if let instant = instant(raw) {
          (micros, isDate) = instant
        } else {
          guard case .success(let t) = Timestamp.parse(String(decoding: raw, as: UTF8.self)) else { return false }
          micros = t.micros
          isDate = t.isDate
        }
        haveTime = true
      case .data:
        guard let type, let id else { return false }
        body = c.foldBody(type, id: id, seq: seq, topics: &topics, cities: &cities)
        return body != nil
      default: return c.skipValue()
      }
      return true
    }
    guard ok, haveTime, let body else { return nil }
    return FoldEvent(micros: micros, isDate: isDate, body: body)
  }

  static let typeNames: [(bytes: [UInt8], type: EventType)] = EventType.allCases.map { (Array($0.rawValue.utf8), $0) }

  static func eventType(_ raw: UnsafeBufferPointer<UInt8>) -> EventType? {
    for (bytes, type) in typeNames where bytes.count == raw.count && bytes.elementsEqual(raw) { return type }
    return nil
  }

  /// The instant of a stored `occurred_at` in its usual forms — `YYYY-MM-DD`, or
  /// `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)` — read without making a String; nil for
  /// anything else (the caller parses it the general way).
  static func instant(_ b: UnsafeBufferPointer<UInt8>) -> (micros: Int64, isDate: Bool)? {
    func number(_ from: Int, _ count: Int) -> Int? {
      var value = 0
      for k in from..<(from + count) {
        let d = Int(b[k]) - 48
        guard d >= 0 && d <= 9 else { return nil }
        value = value * 10 + d
      }
      return value
    }
    guard b.count >= 10, b[4] == 0x2D, b[7] == 0x2D, let y = number(0, 4), let m = number(5, 2), let d = number(8, 2),
      (1...12).contains(m), d >= 1, d <= 28 || d <= daysInMonth(y, m)
    else { return nil }
    let day = Int64(daysFromCivil(year: y, month: m, day: d))
    if b.count == 10 { return (day * Timestamp.microsPerDay, true) }
    guard b.count >= 20, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, let hh = number(11, 2), let mm = number(14, 2),
      let ss = number(17, 2), hh <= 23, mm <= 59, ss <= 59
    else { return nil }
    var i = 19
    var fraction: Int64 = 0
    if b[i] == 0x2E {
      i += 1
      var digits = 0
      while i < b.count, b[i] >= 0x30, b[i] <= 0x39, digits < 6 {
        fraction = fraction * 10 + Int64(b[i] - 48)
        digits += 1
        i += 1
      }
      guard digits > 0 else { return nil }
      for _ in digits..<6 { fraction *= 10 }
    }
    var offset = 0
    if i == b.count - 1, b[i] == 0x5A {
      offset = 0
    } else if i == b.count - 6, b[i] == 0x2B || b[i] == 0x2D, b[i + 3] == 0x3A, let oh = number(i + 1, 2), let om = number(i + 4, 2),
      oh <= 23, om <= 59
    {
      offset = (b[i] == 0x2D ? -1 : 1) * (oh * 3600 + om * 60)
    } else {
      return nil
    }
    let seconds = day * 86_400 + Int64(hh * 3600 + mm * 60 + ss - offset)
    return (seconds * 1_000_000 + fraction, false)
  }

  static func daysInMonth(_ year: Int, _ month: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}

extension ByteCursor {
  /// Skips one JSON value of the canonical form (string, number, literal, array, object).
  mutating func skipValue() -> Bool {
    skipSpace()
    guard let b = peek else { return false }
    switch b {
    case 0x22:
      i += 1
      while true {
        i = JSONStringScan.firstSpecial(bytes, from: i)
        guard i < bytes.count else { return false }
        let c = bytes[i]
        i += c == 0x5C ? 2 : 1
        if c == 0x22 { return true }
      }
    case 0x7B: return members { c, _ in c.skipValue() }
    case 0x5B: return elements { c in c.skipValue() }
    default:
      while i < bytes.count, bytes[i] != 0x2C, bytes[i] != 0x7D, bytes[i] != 0x5D { i += 1 }
      return true
    }
  }

  mutating func countryIndex() -> CountryIndex? {
    guard let raw = rawString(), raw.count == 2, (65...90).contains(raw[0]), (65...90).contains(raw[1]) else { return nil }
    return CountryIndex(raw[0] - 65) * 26 + CountryIndex(raw[1] - 65)
  }

  mutating func countryIndexes() -> [CountryIndex]? {
    var list: [CountryIndex] = []
    let ok = elements { c in
      guard let index = c.countryIndex() else { return false }
      list.append(index)
      return true
    }
    return ok ? list : nil
  }

  /// An actor's country, skipping its name and role.
  mutating func actorCountry() -> CountryIndex? {
    var country: CountryIndex?
    let ok = members { c, key in
      if Key(key) == .country {
        country = c.countryIndex()
        return country != nil
      }
      return c.skipValue()
    }
    return ok ? country : nil
  }

  mutating func interned(_ table: inout StringTable) -> [Int32]? {
    var list: [Int32] = []
    let ok = elements { c in
      guard let raw = c.rawString() else { return false }
      list.append(table.intern(raw))
      return true
    }
    return ok ? list : nil
  }

  mutating func foldBody(
    _ type: EventType, id: UnsafeBufferPointer<UInt8>, seq: Int64, topics: inout StringTable, cities: inout StringTable
  ) -> FoldEvent.Body? {
    var countries: [CountryIndex] = [], about: [CountryIndex] = [], parties: [CountryIndex] = [], with: [CountryIndex] = []
    var speaker: CountryIndex?, from: CountryIndex?, to: CountryIndex?, city: Int32?, topicList: [Int32] = []
    var summary: String?, item: String?, by: Actor?, due: CalendarDay?, meeting: String?, outcome: Outcome?
    var sawParticipants = false
    let ok = members { c, key in
      switch (type, Key(key)) {
      case (.meetingHeld, .participants):
        sawParticipants = true
        return c.elements { c in
          guard let country = c.actorCountry() else { return false }
          countries.append(country)
          return true
        }
      case (.meetingHeld, .place):
        return c.members { c, key in
          guard Key(key) == .city else { return c.skipValue() }
          guard let raw = c.rawString() else { return false }
          city = cities.intern(raw)
          return true
        }
      case (_, .topics):
        guard let list = c.interned(&topics) else { return false }
        topicList = list
      case (.statementMade, .speaker): speaker = c.actorCountry(); return speaker != nil
      case (.statementMade, .about):
        guard let list = c.countryIndexes() else { return false }
        about = list
      case (.agreementPledged, .summary): summary = c.string(); return summary != nil
      case (.agreementPledged, .parties):
        guard let list = c.countryIndexes() else { return false }
        parties = list
      case (.agreementPledged, .with):
        guard let list = c.countryIndexes() else { return false }
        with = list
      case (.agreementPledged, .by): by = c.actor(); return by != nil
      case (.agreementPledged, .due), (.itemUpdated, .due): due = c.day(); return due != nil
      case (.agreementPledged, .meeting): meeting = c.string(); return meeting != nil
      case (.agreementPledged, .item), (.itemUpdated, .item), (.itemResolved, .item): item = c.string(); return item != nil
      case (.thanksExpressed, .from): from = c.actorCountry(); return from != nil
      case (.thanksExpressed, .to): to = c.countryIndex(); return to != nil
      case (.itemResolved, .outcome):
        outcome = c.string().flatMap(Outcome.init(rawValue:))
        return outcome != nil
      default: return c.skipValue()
      }
      return true
    }
    guard ok else { return nil }
    switch type {
    case .meetingHeld:
      guard sawParticipants else { return nil }
      return .meeting(countries: countries, city: city, topics: topicList)
    case .statementMade:
      guard let speaker else { return nil }
      return .statement(speaker: speaker, about: about, topics: topicList)
    case .agreementPledged:
      guard let summary, !parties.isEmpty else { return nil }
      return .pledge(
        FoldEvent.Pledge(
          seq: seq, id: String(decoding: id, as: UTF8.self), summary: summary, parties: parties, with: with, item: item, by: by, due: due,
          meeting: meeting,
          topics: topicList))
    case .thanksExpressed:
      guard let from, let to else { return nil }
      return .thanks(from: from, to: to)
    case .itemUpdated:
      guard let item else { return nil }
      return .updated(item: item, due: due)
    case .itemResolved:
      guard let item, let outcome else { return nil }
      return .resolved(item: item, outcome: outcome)
    case .eventRetracted: return nil
    }
  }
}
