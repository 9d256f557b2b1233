/// What the reference rules need to know about the log as it stands at an append.
///
/// The SQLite store answers from its index tables inside the append's transaction;
/// `verify` answers from memory while it walks the log.
protocol ReferenceIndex {
  /// The event with this id: its seq, type and time.
  func event(id: String) throws(MeetlogError) -> IndexedEvent?
  /// The live event that defines a meeting or item id.
  func holder(_ kind: NameKind, _ name: String) throws(MeetlogError) -> IndexedEvent?
  func isRetracted(seq: Int64) throws(MeetlogError) -> Bool
  /// The seq of the live resolution of the item pledged at `itemSeq`.
  func resolution(itemSeq: Int64) throws(MeetlogError) -> Int64?
  /// Records what an appended event defines, resolves or retracts.
  func record(_ event: Event, seq: Int64, effects: ReferenceEffects) throws(MeetlogError)
}

/// The two kinds of name events define.
enum NameKind: String {
  case meeting, item
}

/// An event as the index knows it.
struct IndexedEvent {
  var seq: Int64
  var id: String
  var type: EventType
  /// When it occurred, as numbers: a `Timestamp` holds its text, one more String to
  /// retain and release with each of the copies the batch's tables make.
  var occurredMicros: Int64
  var occurredIsDate: Bool

  init(seq: Int64, id: String, type: EventType, occurredAt: Timestamp) {
    (self.seq, self.id, self.type) = (seq, id, type)
    (occurredMicros, occurredIsDate) = (occurredAt.micros, occurredAt.isDate)
  }

  /// The time as the SPEC prints it (a date, or a date-time in UTC), for messages.
  var occurredDisplay: String {
    occurredIsDate ? Timestamp.formatDay(Int(floorDiv(occurredMicros, Timestamp.microsPerDay))) : Timestamp.formatUTC(occurredMicros)
  }
}

/// What an accepted event changes in the index.
struct ReferenceEffects {
  var defines: (NameKind, String)?
  var resolvesItemSeq: Int64?
  var retracts: IndexedEvent?
}

/// The rules that need the log: references resolve to earlier, live events; an item is
/// resolved at most once; an event is retracted at most once; meeting and item ids are
/// not reused while their holder is live.
enum ReferenceRules {
  static func check(_ event: Event, index: some ReferenceIndex) throws(FieldError) -> ReferenceEffects {
    do {
      return try checkThrowing(event, index: index)
    } catch let error as FieldError {
      throw error
    } catch {
      throw FieldError("", "\(error)")
    }
  }

  private static func checkThrowing(_ event: Event, index: some ReferenceIndex) throws -> ReferenceEffects {
    var effects = ReferenceEffects()
    if let meeting = event.referencedMeeting {
      _ = try live(.meeting, meeting, path: "data.meeting", from: event, index: index)
    }
    switch event.body {
    case .meetingHeld:
      let name = event.definedMeeting!
      try checkUnused(.meeting, name, path: "data.meeting", index: index)
      effects.defines = (.meeting, name)
    case .agreementPledged:
      let name = event.definedItem!
      try checkUnused(.item, name, path: "data.item", index: index)
      effects.defines = (.item, name)
    case .itemUpdated(let u):
      let pledge = try live(.item, u.item, path: "data.item", from: event, index: index)
      try checkOpen(pledge, name: u.item, index: index)
    case .itemResolved(let r):
      let pledge = try live(.item, r.item, path: "data.item", from: event, index: index)
      try checkOpen(pledge, name: r.item, index: index)
      if let other = r.supersededBy {
        if other == r.item { throw FieldError("data.superseded_by", "\"\(other)\" is the item itself") }
        _ = try live(.item, other, path: "data.superseded_by", from: event, index: index, checkTime: false)
      }
      effects.resolvesItemSeq = pledge.seq
    case .eventRetracted(let r):
      guard let target = try index.event(id: r.target) else {
        throw FieldError("data.target", "\"\(r.target)\" names no earlier event")
      }
      if target.type == .eventRetracted {
        throw FieldError("data.target", "\"\(r.target)\" is a retraction, which cannot be retracted: append the event again with a new id")
      }
      if try index.isRetracted(seq: target.seq) {
        throw FieldError("data.target", "\"\(r.target)\" (seq \(target.seq)) is already retracted")
      }
      effects.retracts = target
    default:
      break
    }
    return effects
  }

  /// The live holder of a name, or an error saying why there is none.
  private static func live(
    _ kind: NameKind, _ name: String, path: String, from event: Event, index: some ReferenceIndex, checkTime: Bool = true
  ) throws -> IndexedEvent {
    guard let holder = try index.holder(kind, name) else {
      throw FieldError(path, "\"\(name)\" names no earlier \(kind.rawValue)")
    }
    if try index.isRetracted(seq: holder.seq) {
      throw FieldError(path, "\"\(name)\" names a retracted \(kind.rawValue) (event \(holder.id), seq \(holder.seq))")
    }
    if checkTime && occursBefore(event.occurredAt, holder) {
      throw FieldError(
        path,
        "\"\(name)\" happened at \(holder.occurredDisplay), after this event (\(event.occurredAt.display)): an event cannot refer to a later \(kind.rawValue)"
      )
    }
    return holder
  }

  private static func checkUnused(_ kind: NameKind, _ name: String, path: String, index: some ReferenceIndex) throws {
    if let holder = try index.holder(kind, name), try !index.isRetracted(seq: holder.seq) {
      throw FieldError(path, "\"\(name)\" already names the \(kind.rawValue) of event \(holder.id) (seq \(holder.seq))")
    }
  }

  private static func checkOpen(_ pledge: IndexedEvent, name: String, index: some ReferenceIndex) throws {
    if let resolution = try index.resolution(itemSeq: pledge.seq) {
      throw FieldError("data.item", "\"\(name)\" is already resolved (seq \(resolution)): a resolved item cannot change")
    }
  }

  /// True when `a` happened before `b`; when either is a calendar date, by whole days.
  static func occursBefore(_ a: Timestamp, _ b: IndexedEvent) -> Bool {
    if a.isDate || b.occurredIsDate { return a.day < Int(floorDiv(b.occurredMicros, Timestamp.microsPerDay)) }
    return a.micros < b.occurredMicros
  }
}
