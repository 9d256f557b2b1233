#if canImport(Glibc)
  import Glibc
#endif

/// Folds events into relations and items: `apply` is total and never throws, because
/// history cannot be rejected — validation happened once, on append.
///
/// Events must be applied in (`occurred_at`, `seq`) order with retracted events and
/// retractions already left out (`StateQuery` does that). An update or resolution
/// that reaches the fold before its pledge (possible when a calendar date and a
/// date-time fall on the same day) waits until the pledge arrives.
public struct Projector: Sendable {
  public let point: PointInTime
  public let weights: ScoreWeights
  public private(set) var relations: [String: RelationState] = [:]
  public private(set) var items: [String: ItemState] = [:]
  private var waiting: [String: [Event]] = [:]
  private let pointDay: Int
  /// When set, `apply` records each event it folds that touches one of `journalPairs`
  /// (every event when that is nil): the report's timeline and score curve.
  public var journal: [FoldedEvent]?
  public var journalPairs: Set<String>?

  public init(point: PointInTime, weights: ScoreWeights = ScoreWeights()) {
    self.point = point
    self.weights = weights
    self.pointDay = point.day
  }

  /// The pairs an event touches, given the items known so far.
  public func pairs(of event: Event) -> [String] {
    switch event.body {
    case .meetingHeld(let m): return Self.pairs(among: m.participants.map(\.country))
    case .statementMade(let s):
      return Self.unique((s.about ?? []).filter { $0 != s.speaker.country }.map { CountryCode.pairKey(s.speaker.country, $0) })
    case .agreementPledged(let p): return Self.pairs(among: p.parties + (p.with ?? []))
    case .thanksExpressed(let t): return t.from.country == t.to ? [] : [CountryCode.pairKey(t.from.country, t.to)]
    case .itemUpdated(let u): return items[u.item]?.pairs ?? []
    case .itemResolved(let r): return items[r.item]?.pairs ?? []
    case .eventRetracted: return []
    }
  }

  static func pairs(among countries: [String]) -> [String] {
    let distinct = Array(Set(countries)).sorted()
    var result: [String] = []
    for i in distinct.indices {
      for j in (i + 1)..<distinct.count { result.append(distinct[i] + "-" + distinct[j]) }
    }
    return result
  }

  static func unique(_ list: [String]) -> [String] {
    var seen = Set<String>()
    return list.filter { seen.insert($0).inserted }
  }

  public mutating func apply(_ event: Event) {
    switch event.body {
    case .itemUpdated(let u) where items[u.item] == nil:
      waiting[u.item, default: []].append(event)
      return
    case .itemResolved(let r) where items[r.item] == nil:
      waiting[r.item, default: []].append(event)
      return
    case .eventRetracted:
      return
    default: break
    }
    let weight = weights.weight(of: event.body)
    let decayDays = Double(max(0, pointDay - event.occurredAt.day))
    let contribution = weight == 0 ? 0 : weight * pow(0.5, decayDays / ScoreWeights.halfLifeDays)
    var topics: [String]
    switch event.body {
    case .meetingHeld(let m): topics = m.topics ?? []
    case .statementMade(let s): topics = s.topics ?? []
    case .agreementPledged(let p): topics = p.topics ?? []
    default: topics = []
    }
    if topics.count > 1 { topics = Self.unique(topics) }
    if case .agreementPledged(let p) = event.body {
      let id = p.item ?? event.id
      items[id] = ItemState(
        item: id, summary: p.summary, parties: p.parties, with: p.with ?? [],
        pairs: Self.pairs(among: p.parties + (p.with ?? [])), pledgedAt: event.occurredAt, pledgeEvent: event.id,
        due: p.due, meeting: p.meeting, by: p.by)
    }
    let touched = pairs(of: event)
    if journal != nil, journalPairs.map({ !$0.isDisjoint(with: touched) }) ?? true {
      journal!.append(FoldedEvent(event: event, pairs: touched, weight: weight))
    }
    for pair in touched {
      var relation = relations[pair] ?? RelationState(pair: pair, countries: pair.split(separator: "-").map(String.init))
      relation.score += contribution
      if relation.lastEventAt.map({ $0.micros < event.occurredAt.micros }) ?? true { relation.lastEventAt = event.occurredAt }
      for topic in topics { relation.topics[topic, default: 0] += 1 }
      switch event.body {
      case .meetingHeld(let m):
        relation.meetingCount += 1
        if relation.firstMeeting.map({ event.occurredAt.micros < $0.micros }) ?? true { relation.firstMeeting = event.occurredAt }
        relation.lastMeeting = event.occurredAt
        relation.lastPlace = m.place?.city
      case .statementMade: relation.statements += 1
      case .thanksExpressed(let t): relation.thanks["\(t.from.country)>\(t.to)", default: 0] += 1
      default: break
      }
      relations[pair] = relation
    }
    switch event.body {
    case .itemUpdated(let u):
      if let due = u.due { items[u.item]?.due = due }
    case .itemResolved(let r):
      items[r.item]?.outcome = r.outcome
      items[r.item]?.resolvedAt = event.occurredAt
    case .agreementPledged:
      if let id = event.definedItem, let early = waiting.removeValue(forKey: id) {
        for e in early { apply(e) }
      }
    default: break
    }
  }

  /// The state at the point: item flags and per-pair item counts filled in, sorted.
  public func result(seq: Int64) -> ProjectedState {
    var relations = self.relations
    var itemList: [ItemState] = []
    for var item in items.values {
      item.overdue = item.outcome == nil && (item.due.map { $0.day < pointDay } ?? false)
      item.ageDays = max(0, pointDay - item.pledgedAt.day)
      for pair in item.pairs {
        if let outcome = item.outcome {
          relations[pair]?.itemCounts.byOutcome[outcome, default: 0] += 1
        } else {
          relations[pair]?.itemCounts.open += 1
          if item.overdue { relations[pair]?.itemCounts.overdue += 1 }
        }
      }
      itemList.append(item)
    }
    itemList.sort { a, b in
      a.pledgedAt.micros != b.pledgedAt.micros ? a.pledgedAt.micros < b.pledgedAt.micros : a.item < b.item
    }
    return ProjectedState(
      point: point, seq: seq, relations: relations.values.sorted { $0.pair < $1.pair }, items: itemList)
  }
}

/// An event as the fold applied it: the pairs it touched and the weight it added to
/// each (before decay).
public struct FoldedEvent: Sendable, Equatable {
  public var event: Event
  public var pairs: [String]
  public var weight: Double
}
