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
  func record(seq: Int64, effects: ReferenceEffects) throws(MeetlogError)
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
    self.init(seq: seq, id: id, type: type, occurredMicros: occurredAt.micros, occurredIsDate: occurredAt.isDate)
  }

  init(seq: Int64, id: String, type: EventType, occurredMicros: Int64, occurredIsDate: Bool) {
    (self.seq, self.id, self.type) = (seq, id, type)
    (self.occurredMicros, self.occurredIsDate) = (occurredMicros, occurredIsDate)
  }

  /// The calendar day (UTC) it occurred on.
  var day: Int { Int(floorDiv(occurredMicros, Timestamp.microsPerDay)) }

  /// The time as the SPEC prints it (a date, or a date-time in UTC), for messages.
  var occurredDisplay: String {
    occurredIsDate ? Timestamp.formatDay(Int(floorDiv(occurredMicros, Timestamp.microsPerDay))) : Timestamp.formatUTC(occurredMicros)
  }
}

/// What the reference rules read of an event: its id, type and time and the names it
/// defines or refers to. `verify` hands these, not whole events, from its reading thread
/// to the thread that checks the rules (an `Event` is a dozen Strings to retain there
/// and to free on another thread than the one that made them).
struct ReferenceFacts: Equatable {
  var id: String
  var type: EventType
  var occurredMicros: Int64
  var occurredIsDate: Bool
  /// The meeting or item id the event defines.
  var defines: (kind: NameKind, name: String)?
  /// The earlier meeting it names (`data.meeting` of a statement, pledge or thanks).
  var meeting: String?
  /// The item an update or resolution is about.
  var item: String?
  /// The item a resolution says supersedes its own.
  var supersededBy: String?
  /// The id a retraction retracts.
  var target: String?

  /// The facts of an event that defines and refers to nothing yet (the caller sets those).
  init(id: String, type: EventType, occurredMicros: Int64, occurredIsDate: Bool) {
    (self.id, self.type, self.occurredMicros, self.occurredIsDate) = (id, type, occurredMicros, occurredIsDate)
  }

  init(_ event: Event) {
    (id, type) = (event.id, event.type)
    (occurredMicros, occurredIsDate) = (event.occurredAt.micros, event.occurredAt.isDate)
    meeting = event.referencedMeeting
    switch event.body {
    case .meetingHeld(let m): defines = (.meeting, m.meeting ?? event.id)
    case .agreementPledged(let p): defines = (.item, p.item ?? event.id)
    case .itemUpdated(let u): item = u.item
    case .itemResolved(let r): (item, supersededBy) = (r.item, r.supersededBy)
    case .eventRetracted(let r): target = r.target
    case .statementMade, .thanksExpressed: break
    }
  }

  /// Equal facts: the same answers from the reference rules (`verify`'s fast path and
  /// its full path are compared by this).
  static func == (a: ReferenceFacts, b: ReferenceFacts) -> Bool {
    a.id == b.id && a.type == b.type && a.occurredMicros == b.occurredMicros && a.occurredIsDate == b.occurredIsDate
      && a.defines?.kind == b.defines?.kind && a.defines?.name == b.defines?.name && a.meeting == b.meeting && a.item == b.item
      && a.supersededBy == b.supersededBy && a.target == b.target
  }

  /// As the index keeps it.
  func indexed(seq: Int64) -> IndexedEvent {
    IndexedEvent(seq: seq, id: id, type: type, occurredMicros: occurredMicros, occurredIsDate: occurredIsDate)
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
  static func check(_ event: ReferenceFacts, index: some ReferenceIndex) throws(FieldError) -> ReferenceEffects {
    do {
      return try checkThrowing(event, index: index)
    } catch let error as FieldError {
      throw error
    } catch {
      throw FieldError("", "\(error)")
    }
  }

  private static func checkThrowing(_ event: ReferenceFacts, index: some ReferenceIndex) throws -> ReferenceEffects {
    var effects = ReferenceEffects()
    if let meeting = event.meeting {
      _ = try live(.meeting, meeting, path: "data.meeting", from: event, index: index)
    }
    if let (kind, name) = event.defines {
      try checkUnused(kind, name, path: kind == .meeting ? "data.meeting" : "data.item", index: index)
      effects.defines = (kind, name)
    }
    if let item = event.item {
      let pledge = try live(.item, item, path: "data.item", from: event, index: index)
      try checkOpen(pledge, name: item, index: index)
      if event.type == .itemResolved {
        if let other = event.supersededBy {
          if other == item { throw FieldError("data.superseded_by", "\"\(other)\" is the item itself") }
          _ = try live(.item, other, path: "data.superseded_by", from: event, index: index, checkTime: false)
        }
        effects.resolvesItemSeq = pledge.seq
      }
    }
    if let targetId = event.target {
      guard let target = try index.event(id: targetId) else {
        throw FieldError("data.target", "\"\(targetId)\" names no earlier event")
      }
      if target.type == .eventRetracted {
        throw FieldError("data.target", "\"\(targetId)\" is a retraction, which cannot be retracted: append the event again with a new id")
      }
      if try index.isRetracted(seq: target.seq) {
        throw FieldError("data.target", "\"\(targetId)\" (seq \(target.seq)) is already retracted")
      }
      effects.retracts = target
    }
    return effects
  }

  /// The live holder of a name, or an error saying why there is none.
  private static func live(
    _ kind: NameKind, _ name: String, path: String, from event: ReferenceFacts, index: some ReferenceIndex, checkTime: Bool = true
  ) throws -> IndexedEvent {
    guard let holder = try index.holder(kind, name) else {
      throw FieldError(path, "\"\(name)\" names no earlier \(kind.rawValue)")
    }
    if try index.isRetracted(seq: holder.seq) {
      throw FieldError(path, "\"\(name)\" names a retracted \(kind.rawValue) (event \(holder.id), seq \(holder.seq))")
    }
    if checkTime && occursBefore(event.indexed(seq: 0), holder) {
      throw FieldError(
        path,
        "\"\(name)\" happened at \(holder.occurredDisplay), after this event (\(event.indexed(seq: 0).occurredDisplay)): an event cannot refer to a later \(kind.rawValue)"
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
  static func occursBefore(_ a: IndexedEvent, _ b: IndexedEvent) -> Bool {
    if a.occurredIsDate || b.occurredIsDate { return a.day < b.day }
    return a.occurredMicros < b.occurredMicros
  }
}
