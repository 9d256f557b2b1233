/// The state of one pair of countries at a point in time.
public struct RelationState: Sendable, Equatable {
  public var pair: String
  public var countries: [String]
  public var meetingCount = 0
  public var firstMeeting: Timestamp?
  public var lastMeeting: Timestamp?
  public var lastPlace: String?
  public var statements = 0
  /// Thanks by direction, keyed `FROM>TO`; both directions are always present.
  public var thanks: [String: Int]
  public var topics: [String: Int] = [:]
  public var lastEventAt: Timestamp?
  public var score = 0.0
  public var itemCounts = ItemCounts()

  init(pair: String, countries: [String]) {
    self.pair = pair
    self.countries = countries
    thanks = ["\(countries[0])>\(countries[1])": 0, "\(countries[1])>\(countries[0])": 0]
  }
}

/// Items touching a pair: open (and overdue among them) and closed by outcome.
public struct ItemCounts: Sendable, Equatable {
  public var open = 0
  public var overdue = 0
  public var byOutcome: [Outcome: Int] = [:]
}

/// One pledged item at a point in time.
public struct ItemState: Sendable, Equatable {
  public var item: String
  public var summary: String
  public var parties: [String]
  public var with: [String]
  public var pairs: [String]
  public var pledgedAt: Timestamp
  public var pledgeEvent: String
  public var due: CalendarDay?
  public var outcome: Outcome?
  public var resolvedAt: Timestamp?
  public var meeting: String?
  public var by: Actor?
  public var overdue = false
  public var ageDays = 0

  public var stateName: String { outcome?.rawValue ?? "open" }
}

/// The projected state: relations sorted by pair, items by pledge date then id.
public struct ProjectedState: Sendable, Equatable {
  public var point: PointInTime
  /// The last seq of the log prefix considered (before `--as-of` filters by date).
  public var seq: Int64
  public var relations: [RelationState]
  public var items: [ItemState]

  public static func == (a: ProjectedState, b: ProjectedState) -> Bool {
    a.seq == b.seq && a.relations == b.relations && a.items == b.items
  }
}
