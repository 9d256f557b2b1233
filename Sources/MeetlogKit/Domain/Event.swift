/// The seven kinds of event, named in the past tense: each records an act that happened.
public enum EventType: String, Sendable, CaseIterable, Hashable {
  case meetingHeld = "meeting.held"
  case statementMade = "statement.made"
  case agreementPledged = "agreement.pledged"
  case thanksExpressed = "thanks.expressed"
  case itemUpdated = "item.updated"
  case itemResolved = "item.resolved"
  case eventRetracted = "event.retracted"
}

/// A person acting for a country on the day of the event.
public struct Actor: Sendable, Equatable {
  public var name: String
  public var role: String?
  public var country: String

  public init(name: String, role: String? = nil, country: String) {
    self.name = name
    self.role = role
    self.country = country
  }
}

/// Where a meeting took place.
public struct Place: Sendable, Equatable {
  public var city: String
  public var country: String
}

/// How a meeting was held.
public enum MeetingFormat: String, Sendable, CaseIterable {
  case bilateral, multilateral, videoconference, phone
}

/// How an item ended.
public enum Outcome: String, Sendable, CaseIterable, Hashable {
  case fulfilled
  case partiallyFulfilled = "partially_fulfilled"
  case broken, withdrawn, superseded
}

/// A calendar date with no time (a due date), kept as text and as a UTC day number.
public struct CalendarDay: Sendable, Equatable, Comparable {
  public var day: Int
  public var text: String
  public static func < (a: CalendarDay, b: CalendarDay) -> Bool { a.day < b.day }
}

public struct MeetingHeld: Sendable, Equatable {
  public var participants: [Actor]
  public var meeting: String?
  public var title: String?
  public var place: Place?
  public var host: String?
  public var format: MeetingFormat?
  public var topics: [String]?
}

public struct StatementMade: Sendable, Equatable {
  public var speaker: Actor
  public var text: String
  public var meeting: String?
  public var about: [String]?
  public var topics: [String]?
}

public struct AgreementPledged: Sendable, Equatable {
  public var summary: String
  public var parties: [String]
  public var with: [String]?
  public var item: String?
  public var by: Actor?
  public var due: CalendarDay?
  public var meeting: String?
  public var topics: [String]?
}

public struct ThanksExpressed: Sendable, Equatable {
  public var from: Actor
  public var to: String
  public var reason: String  // the SPEC's `for`
  public var meeting: String?
}

public struct ItemUpdated: Sendable, Equatable {
  public var item: String
  public var due: CalendarDay?
  public var note: String?
}

public struct ItemResolved: Sendable, Equatable {
  public var item: String
  public var outcome: Outcome
  public var note: String?
  public var supersededBy: String?
}

public struct EventRetracted: Sendable, Equatable {
  public var target: String
  public var reason: String
}

/// The type-specific fields of an event (`data`).
public enum EventBody: Sendable, Equatable {
  case meetingHeld(MeetingHeld)
  case statementMade(StatementMade)
  case agreementPledged(AgreementPledged)
  case thanksExpressed(ThanksExpressed)
  case itemUpdated(ItemUpdated)
  case itemResolved(ItemResolved)
  case eventRetracted(EventRetracted)

  public var type: EventType {
    switch self {
    case .meetingHeld: .meetingHeld
    case .statementMade: .statementMade
    case .agreementPledged: .agreementPledged
    case .thanksExpressed: .thanksExpressed
    case .itemUpdated: .itemUpdated
    case .itemResolved: .itemResolved
    case .eventRetracted: .eventRetracted
    }
  }
}

/// One validated event as the user states it: the envelope and its data.
///
/// It is the unit the canonical form, the hash chain and the projections work on.
public struct Event: Sendable, Equatable {
  public var id: String
  public var occurredAt: Timestamp
  public var source: String?
  public var body: EventBody

  public var type: EventType { body.type }

  public init(id: String, occurredAt: Timestamp, source: String? = nil, body: EventBody) {
    self.id = id
    self.occurredAt = occurredAt
    self.source = source
    self.body = body
  }

  /// The meeting id this event defines (`meeting.held`) — its `meeting` or its own id.
  public var definedMeeting: String? {
    if case .meetingHeld(let m) = body { return m.meeting ?? id }
    return nil
  }

  /// The item id this event defines (`agreement.pledged`) — its `item` or its own id.
  public var definedItem: String? {
    if case .agreementPledged(let p) = body { return p.item ?? id }
    return nil
  }

  /// The earlier meeting this event names, if any.
  public var referencedMeeting: String? {
    switch body {
    case .statementMade(let s): s.meeting
    case .agreementPledged(let p): p.meeting
    case .thanksExpressed(let t): t.meeting
    default: nil
    }
  }

  /// Every country the event names, for `log --country`.
  public var countries: Set<String> {
    switch body {
    case .meetingHeld(let m):
      var set = Set(m.participants.map(\.country))
      if let host = m.host { set.insert(host) }
      if let place = m.place { set.insert(place.country) }
      return set
    case .statementMade(let s): return Set([s.speaker.country] + (s.about ?? []))
    case .agreementPledged(let p):
      var set = Set(p.parties + (p.with ?? []))
      if let by = p.by { set.insert(by.country) }
      return set
    case .thanksExpressed(let t): return [t.from.country, t.to]
    default: return []
    }
  }
}

/// An event as the store holds it: with its position and the time it was recorded.
public struct RecordedEvent: Sendable, Equatable {
  public var seq: Int64
  public var recordedAt: Timestamp
  public var event: Event

  public init(seq: Int64, recordedAt: Timestamp, event: Event) {
    self.seq = seq
    self.recordedAt = recordedAt
    self.event = event
  }
}
