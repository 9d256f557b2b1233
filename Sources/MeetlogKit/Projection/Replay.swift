/// One field of the state that an event changed.
public struct StateChange: Sendable, Equatable {
  /// `BA-SI` for a relation, `item:ID` for an item.
  public var subject: String
  public var field: String
  public var before: String?
  public var after: String?
}

extension Projector {
  /// A relation's fields as flat `name = value` text, item counts included.
  func flattened(pair: String) -> [(String, String)] {
    guard let r = relations[pair] else { return [] }
    var counts = ItemCounts()
    for item in items.values where item.pairs.contains(pair) {
      if let outcome = item.outcome {
        counts.byOutcome[outcome, default: 0] += 1
      } else {
        counts.open += 1
        if item.due.map({ $0.day < point.day }) ?? false { counts.overdue += 1 }
      }
    }
    var fields: [(String, String)] = [
      ("meetings.count", String(r.meetingCount)), ("meetings.last", r.lastMeeting?.display ?? "null"),
      ("meetings.last_place", r.lastPlace ?? "null"), ("statements", String(r.statements)),
      ("items.open", String(counts.open)), ("items.overdue", String(counts.overdue)),
    ]
    for outcome in Outcome.allCases { fields.append(("items.\(outcome.rawValue)", String(counts.byOutcome[outcome] ?? 0))) }
    for key in r.thanks.keys.sorted() { fields.append(("thanks.\(key)", String(r.thanks[key]!))) }
    for key in r.topics.keys.sorted() { fields.append(("topics.\(key)", String(r.topics[key]!))) }
    fields.append(("last_event_at", r.lastEventAt?.display ?? "null"))
    fields.append(("score", formatDecimal2(r.score)))
    return fields
  }

  func flattened(item id: String) -> [(String, String)] {
    guard let i = items[id] else { return [] }
    return [("state", i.stateName), ("due", i.due?.text ?? "null")]
  }

  /// Applies `event` and returns what it changed in the pairs and the item it touches.
  public mutating func applyReportingChanges(_ event: Event) -> [StateChange] {
    var subjects = Set(pairs(of: event)).map { ($0, true) }
    var itemId: String?
    switch event.body {
    case .agreementPledged: itemId = event.definedItem
    case .itemUpdated(let u): itemId = u.item
    case .itemResolved(let r): itemId = r.item
    default: break
    }
    if let itemId { subjects.append(("item:" + itemId, false)) }
    func snapshot(_ p: Projector) -> [String: [(String, String)]] {
      var result: [String: [(String, String)]] = [:]
      for (subject, isPair) in subjects {
        result[subject] = isPair ? p.flattened(pair: subject) : p.flattened(item: String(subject.dropFirst(5)))
      }
      return result
    }
    let before = snapshot(self)
    apply(event)
    // A pledge may touch new pairs once applied.
    for pair in pairs(of: event) where !subjects.contains(where: { $0.0 == pair }) { subjects.append((pair, true)) }
    let after = snapshot(self)
    var changes: [StateChange] = []
    for (subject, _) in subjects.sorted(by: { $0.0 < $1.0 }) {
      let old = Dictionary(before[subject] ?? [], uniquingKeysWith: { a, _ in a })
      for (field, value) in after[subject] ?? [] where old[field] != value {
        changes.append(StateChange(subject: subject, field: field, before: old[field], after: value))
      }
    }
    return changes
  }
}

/// Replays a store to a point in time event by event, with the change each one made.
public enum ReplayQuery {
  public static func run(
    _ store: some EventStore, _ point: PointInTime, weights: ScoreWeights = ScoreWeights(),
    _ body: (RecordedEvent, [StateChange]) -> Void
  ) throws(MeetlogError) -> ProjectedState {
    try store.readSnapshot { () throws(MeetlogError) in
      let bound = try StateQuery.boundSeq(store, point)
      var projector = Projector(point: point, weights: weights)
      try StateQuery.includedEvents(store, point, bound: bound) { recorded in
        let changes = projector.applyReportingChanges(recorded.event)
        body(recorded, changes)
      }
      return projector.result(seq: bound)
    }
  }
}
