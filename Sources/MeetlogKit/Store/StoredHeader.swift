/// What the reference rules need of a stored event: its id, type, time and the meeting
/// or item id it defines. A one-event append that names an item or a meeting reads its
/// holder back: that was about a sixth of a one-event append's instructions (callgrind),
/// half of it decoding fields the rules do not use. So the four are scanned from the
/// canonical form, which skips every other value.
struct StoredHeader: Equatable {
  var id: String
  var type: EventType
  var occurredAt: Timestamp
  var definedMeeting: String?
  var definedItem: String?

  init(_ event: Event) {
    id = event.id
    type = event.type
    occurredAt = event.occurredAt
    definedMeeting = event.definedMeeting
    definedItem = event.definedItem
  }

  init(id: String, type: EventType, occurredAt: Timestamp, definedMeeting: String?, definedItem: String?) {
    self.id = id
    self.type = type
    self.occurredAt = occurredAt
    self.definedMeeting = definedMeeting
    self.definedItem = definedItem
  }

  /// The header of a stored event's canonical form: scanned, or, for a shape the scan
  /// does not take (an escape in a field it reads), decoded in full.
  static func read(_ canonical: [UInt8]) throws(StoredEventError) -> StoredHeader {
    if let scanned = scan(canonical) { return scanned }
    return StoredHeader(try PayloadCodec.decode(canonical: canonical))
  }

  /// The scan alone; nil when it does not take the bytes.
  static func scan(_ canonical: [UInt8]) -> StoredHeader? {
    canonical.withUnsafeBufferPointer { bytes in
      var cursor = ByteCursor(bytes)
      return cursor.header()
    }
  }
}

extension ByteCursor {
  /// The header of an event object (members in any order but `type` before `data`); the
  /// values it does not need are skipped, not checked.
  mutating func header() -> StoredHeader? {
    var id: String?, type: EventType?, occurred: Timestamp?, defined: String?
    let ok = members { c, key in
      switch Key(key) {
      case .id where id == nil:
        id = c.string()
        return id != nil
      case .type where type == nil:
        guard let raw = c.rawString() else { return false }
        type = Self.eventType(raw)
        return type != nil
      case .occurredAt where occurred == nil:
        guard let s = c.string(), case .success(let t) = Timestamp.parse(s) else { return false }
        occurred = t
        return true
      case .data:
        guard let type else { return false }
        let wanted: Key? = type == .meetingHeld ? .meeting : type == .agreementPledged ? .item : nil
        return c.members { c, key in
          guard let wanted, Key(key) == wanted else { return c.skipValue() }
          defined = c.string()
          return defined != nil
        }
      default:
        return c.skipValue()
      }
    }
    skipSpace()
    guard ok, i == bytes.count, let id, let type, let occurred else { return nil }
    let name = defined ?? id
    return StoredHeader(
      id: id, type: type, occurredAt: occurred, definedMeeting: type == .meetingHeld ? name : nil,
      definedItem: type == .agreementPledged ? name : nil)
  }
}
