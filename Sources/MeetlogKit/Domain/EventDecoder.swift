/// A fault in one event: the field path and what is wrong with it.
public struct FieldError: Error, Sendable, Equatable {
  public var path: String
  public var message: String

  public init(_ path: String, _ message: String) {
    self.path = path
    self.message = message
  }

  /// `path: message`, or just the message for the whole event.
  public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// What the input held besides the event: whether the id was given, and, in an export,
/// the stored `seq` and `recorded_at`.
public struct DecodedInput: Sendable {
  public var event: Event
  public var idGiven: Bool
  public var seq: Int64?
  public var recordedAt: Timestamp?
}

/// Turns parsed JSON into a validated `Event`, field by field.
///
/// Every rule that needs only the event itself lives here: required fields, unknown
/// fields, types, country codes, dates, id syntax, enumerations. Rules that need the
/// log (references, duplicates) live in `ReferenceRules`.
public enum EventDecoder {
  static let envelopeKeys = ["id", "type", "occurred_at", "source", "data"]
  static let exportKeys = ["seq", "recorded_at"] + envelopeKeys

  /// Decodes one input object. With `recordFields`, `seq` and `recorded_at` are
  /// required (an export being imported); otherwise they are unknown fields.
  public static func decode(_ value: JSONValue, recordFields: Bool = false) throws(FieldError) -> DecodedInput {
    let top = try Fields(value, path: "", allowed: recordFields ? exportKeys : envelopeKeys)
    var seq: Int64?
    var recordedAt: Timestamp?
    if recordFields {
      let seqValue = try top.required("seq")
      guard case .number(let text) = seqValue, let n = Int64(text), n >= 1 else {
        throw FieldError("seq", "\(seqValue.quoted) is not a positive integer")
      }
      seq = n
      recordedAt = try top.timestamp("recorded_at", required: true)
      if let r = recordedAt, r.isDate {
        throw FieldError("recorded_at", "\"\(r.text)\" must be a date-time, not a calendar date")
      }
    }
    let typeText = try top.string("type")
    guard let type = EventType(rawValue: typeText) else {
      throw FieldError(
        "type", "\"\(typeText)\" is not an event type (expected one of \(EventType.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    let id = try top.optionalIdentifier("id")
    let occurredAt = try top.timestamp("occurred_at", required: true)!
    let source = try top.optionalText("source")
    let data = try Fields(try top.required("data"), path: "data", allowed: dataKeys(type))
    let body = try decodeBody(type, data)
    let event = Event(id: id ?? "", occurredAt: occurredAt, source: source, body: body)
    return DecodedInput(event: event, idGiven: id != nil, seq: seq, recordedAt: recordedAt)
  }

  static func dataKeys(_ type: EventType) -> [String] {
    switch type {
    case .meetingHeld: ["participants", "meeting", "title", "place", "host", "format", "topics"]
    case .statementMade: ["speaker", "text", "meeting", "about", "topics"]
    case .agreementPledged: ["summary", "parties", "with", "item", "by", "due", "meeting", "topics"]
    case .thanksExpressed: ["from", "to", "for", "meeting"]
    case .itemUpdated: ["item", "due", "note"]
    case .itemResolved: ["item", "outcome", "note", "superseded_by"]
    case .eventRetracted: ["target", "reason"]
    }
  }

  static func decodeBody(_ type: EventType, _ d: Fields) throws(FieldError) -> EventBody {
    switch type {
    case .meetingHeld:
      let participants = try d.array("participants", required: true)!.enumerated().map { (i, v) throws(FieldError) in
        try actor(v, path: "data.participants[\(i)]")
      }
      let countries = Set(participants.map(\.country))
      if countries.count < 2 {
        throw FieldError(
          "data.participants",
          participants.isEmpty
            ? "no participants: a meeting needs actors from at least two countries"
            : "all participants are from \(countries.first!): a meeting needs actors from at least two countries")
      }
      var place: Place?
      if let p = try d.optional("place") {
        let f = try Fields(p, path: "data.place", allowed: ["city", "country"])
        place = Place(city: try f.text("city"), country: try f.country("country"))
      }
      var format: MeetingFormat?
      if let text = try d.optionalString("format") {
        guard let value = MeetingFormat(rawValue: text) else {
          throw FieldError(
            "data.format",
            "\"\(text)\" is not a meeting format (expected one of \(MeetingFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        format = value
      }
      return .meetingHeld(
        MeetingHeld(
          participants: participants, meeting: try d.optionalIdentifier("meeting"), title: try d.optionalText("title"),
          place: place, host: try d.optionalCountry("host"), format: format, topics: try d.topics()))
    case .statementMade:
      return .statementMade(
        StatementMade(
          speaker: try actor(try d.required("speaker"), path: "data.speaker"), text: try d.text("text"),
          meeting: try d.optionalIdentifier("meeting"), about: try d.countries("about", required: false), topics: try d.topics()))
    case .agreementPledged:
      let parties = try d.countries("parties", required: true)!
      let with = try d.countries("with", required: false)
      if let with, let both = with.first(where: parties.contains) {
        throw FieldError("data.with", "\"\(both)\" is already in parties: `with` names the countries the parties commit towards")
      }
      var by: Actor?
      if let b = try d.optional("by") { by = try actor(b, path: "data.by") }
      return .agreementPledged(
        AgreementPledged(
          summary: try d.text("summary"), parties: parties, with: with, item: try d.optionalIdentifier("item"), by: by,
          due: try d.optionalDay("due"), meeting: try d.optionalIdentifier("meeting"), topics: try d.topics()))
    case .thanksExpressed:
      return .thanksExpressed(
        ThanksExpressed(
          from: try actor(try d.required("from"), path: "data.from"), to: try d.country("to"), reason: try d.text("for"),
          meeting: try d.optionalIdentifier("meeting")))
    case .itemUpdated:
      let update = ItemUpdated(item: try d.identifier("item"), due: try d.optionalDay("due"), note: try d.optionalText("note"))
      if update.due == nil && update.note == nil {
        throw FieldError("data", "an item.updated needs at least one of `due` or `note`")
      }
      return .itemUpdated(update)
    case .itemResolved:
      let text = try d.string("outcome")
      guard let outcome = Outcome(rawValue: text) else {
        throw FieldError(
          "data.outcome", "\"\(text)\" is not an outcome (expected one of \(Outcome.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      let supersededBy = try d.optionalIdentifier("superseded_by")
      if supersededBy != nil && outcome != .superseded {
        throw FieldError("data.superseded_by", "is only allowed with the outcome \"superseded\" (the outcome is \"\(text)\")")
      }
      return .itemResolved(
        ItemResolved(item: try d.identifier("item"), outcome: outcome, note: try d.optionalText("note"), supersededBy: supersededBy))
    case .eventRetracted:
      return .eventRetracted(EventRetracted(target: try d.identifier("target"), reason: try d.text("reason")))
    }
  }

  static func actor(_ value: JSONValue, path: String) throws(FieldError) -> Actor {
    let f = try Fields(value, path: path, allowed: ["name", "role", "country"])
    return Actor(name: try f.text("name"), role: try f.optionalText("role"), country: try f.country("country"))
  }

  /// True when `text` is 1–128 characters of `A-Z a-z 0-9 . _ : -`.
  public static func isValidIdentifier(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { isIdentifier($0) }
  }

  /// Whether the bytes are 1–128 of A-Z a-z 0-9 `.` `_` `:` `-`: one bit test per byte
  /// (every event has an id, and a check per byte through the String's UTF-8 view was
  /// about 2% of a large append's instructions, callgrind).
  static func isIdentifier(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
    guard (1...128).contains(utf8.count) else { return false }
    for b in utf8 where identifierBits[Int(b >> 6)] >> UInt64(b & 63) & 1 == 0 { return false }
    return true
  }

  /// The identifier bytes as a 256-bit set, 64 bits a word.
  private static let identifierBits: [UInt64] = {
    var bits = [UInt64](repeating: 0, count: 4)
    for b in Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._:-".utf8) {
      bits[Int(b >> 6)] |= 1 << UInt64(b & 63)
    }
    return bits
  }()
}

/// The members of one JSON object, read with the field path at hand for errors.
struct Fields {
  let members: [(String, JSONValue)]
  let path: String

  init(_ value: JSONValue, path: String, allowed: [String]) throws(FieldError) {
    guard case .object(let members) = value else {
      throw FieldError(path, "\(value.quoted) is \(value.typeDescription), an object was expected")
    }
    for (key, _) in members where !allowed.contains(key) {
      throw FieldError(
        path.isEmpty ? key : "\(path).\(key)", "unknown field (expected one of \(allowed.joined(separator: ", ")))")
    }
    self.members = members
    self.path = path
  }

  func sub(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  func optional(_ key: String) throws(FieldError) -> JSONValue? {
    for (k, v) in members where k == key {
      if case .null = v { throw FieldError(sub(key), "null is not allowed: leave the field out instead") }
      return v
    }
    return nil
  }

  func required(_ key: String) throws(FieldError) -> JSONValue {
    guard let v = try optional(key) else { throw FieldError(sub(key), "required field is missing") }
    return v
  }

  func optionalString(_ key: String) throws(FieldError) -> String? {
    guard let v = try optional(key) else { return nil }
    guard case .string(let s) = v else {
      throw FieldError(sub(key), "\(v.quoted) is \(v.typeDescription), a string was expected")
    }
    return s
  }

  func string(_ key: String) throws(FieldError) -> String {
    _ = try required(key)
    return try optionalString(key)!
  }

  /// A string with at least one non-space character.
  func optionalText(_ key: String) throws(FieldError) -> String? {
    guard let s = try optionalString(key) else { return nil }
    if s.allSatisfy(\.isWhitespace) { throw FieldError(sub(key), "\"\(s)\" is empty: text was expected") }
    return s
  }

  func text(_ key: String) throws(FieldError) -> String {
    _ = try required(key)
    return try optionalText(key)!
  }

  func optionalIdentifier(_ key: String) throws(FieldError) -> String? {
    guard let s = try optionalString(key) else { return nil }
    guard EventDecoder.isValidIdentifier(s) else {
      throw FieldError(
        sub(key),
        s.utf8.count > 128
          ? "\"\(String(s.prefix(40)))…\" is \(s.utf8.count) characters long: an id has at most 128"
          : "\"\(s)\" is not a valid id: 1–128 characters of A-Z a-z 0-9 . _ : -")
    }
    return s
  }

  func identifier(_ key: String) throws(FieldError) -> String {
    _ = try required(key)
    return try optionalIdentifier(key)!
  }

  func optionalCountry(_ key: String) throws(FieldError) -> String? {
    guard let s = try optionalString(key) else { return nil }
    guard CountryCode.isValid(s) else { throw FieldError(sub(key), CountryCode.problem(with: s)) }
    return s
  }

  func country(_ key: String) throws(FieldError) -> String {
    _ = try required(key)
    return try optionalCountry(key)!
  }

  func array(_ key: String, required: Bool) throws(FieldError) -> [JSONValue]? {
    guard let v = required ? try self.required(key) : try optional(key) else { return nil }
    guard case .array(let items) = v else {
      throw FieldError(sub(key), "\(v.quoted) is \(v.typeDescription), an array was expected")
    }
    return items
  }

  /// A list of distinct country codes; an empty optional list is the same as none.
  func countries(_ key: String, required: Bool) throws(FieldError) -> [String]? {
    guard let items = try array(key, required: required) else { return nil }
    if items.isEmpty {
      if required { throw FieldError(sub(key), "is empty: at least one country code was expected") }
      return nil
    }
    var codes: [String] = []
    for (i, item) in items.enumerated() {
      let itemPath = "\(sub(key))[\(i)]"
      guard case .string(let code) = item else {
        throw FieldError(itemPath, "\(item.quoted) is \(item.typeDescription), a country code was expected")
      }
      guard CountryCode.isValid(code) else { throw FieldError(itemPath, CountryCode.problem(with: code)) }
      if codes.contains(code) { throw FieldError(itemPath, "\"\(code)\" is listed twice") }
      codes.append(code)
    }
    return codes
  }

  /// `topics`: non-empty strings (a repeat is kept, and counted once); an empty list is
  /// the same as none.
  func topics() throws(FieldError) -> [String]? {
    guard let items = try array("topics", required: false), !items.isEmpty else { return nil }
    var topics: [String] = []
    for (i, item) in items.enumerated() {
      let itemPath = "\(sub("topics"))[\(i)]"
      guard case .string(let topic) = item else {
        throw FieldError(itemPath, "\(item.quoted) is \(item.typeDescription), a string was expected")
      }
      if topic.allSatisfy(\.isWhitespace) { throw FieldError(itemPath, "\"\(topic)\" is empty: a topic was expected") }
      topics.append(topic)
    }
    return topics
  }

  func timestamp(_ key: String, required: Bool) throws(FieldError) -> Timestamp? {
    guard let s = required ? try string(key) : try optionalString(key) else { return nil }
    switch Timestamp.parse(s) {
    case .success(let t): return t
    case .failure(let e): throw FieldError(sub(key), "\"\(s)\" is not a valid date: \(e.reason)")
    }
  }

  func optionalDay(_ key: String) throws(FieldError) -> CalendarDay? {
    guard let s = try optionalString(key) else { return nil }
    switch Timestamp.parseCalendarDate(s) {
    case .success(let day): return CalendarDay(day: day, text: s)
    case .failure(let e): throw FieldError(sub(key), "\"\(s)\" is not a valid calendar date: \(e.reason)")
    }
  }
}
