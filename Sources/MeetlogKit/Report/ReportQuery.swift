#if canImport(Glibc)
  import Glibc
#endif

/// Builds a `Report` with one fold of the included events: the fold that gives the
/// state also journals the events that touched the chosen pairs, so the timeline and
/// the score curve show exactly what the state counts.
public enum ReportQuery {
  /// `pairs` nil reports every pair of the state.
  public static func run(
    _ store: some EventStore, _ point: PointInTime, weights: ScoreWeights = ScoreWeights(), pairs: Set<String>?
  ) throws(MeetlogError) -> Report {
    try store.readSnapshot { () throws(MeetlogError) in
      let bound = try StateQuery.boundSeq(store, point)
      var projector = Projector(point: point, weights: weights)
      projector.journal = []
      projector.journalPairs = pairs
      try StateQuery.includedEvents(store, point, bound: bound) { projector.apply($0.event) }
      let state = projector.result(seq: bound)
      let folded = projector.journal ?? []
      var chosen = state.relations.filter { pairs?.contains($0.pair) ?? true }
      // A chosen pair no event touches yet is reported empty, not left out.
      for pair in (pairs ?? []).sorted() where !chosen.contains(where: { $0.pair == pair }) {
        chosen.append(RelationState(pair: pair, countries: pair.split(separator: "-").map(String.init)))
      }
      var byPair: [String: [FoldedEvent]] = [:]
      for entry in folded {
        for pair in entry.pairs { byPair[pair, default: []].append(entry) }
      }
      let reports = chosen.map { relation in
        let entries = byPair[relation.pair] ?? []
        return PairReport(
          relation: relation, items: state.items.filter { $0.pairs.contains(relation.pair) },
          timeline: entries.compactMap(mark), curve: curve(entries, until: point.day))
      }
      return Report(state: state, pairs: reports)
    }
  }

  static func mark(_ entry: FoldedEvent) -> TimelineMark? {
    let e = entry.event
    func make(_ lane: TimelineMark.Lane, _ label: String, _ outcome: Outcome? = nil) -> TimelineMark {
      TimelineMark(lane: lane, occurredAt: e.occurredAt, eventId: e.id, label: label, outcome: outcome, weight: entry.weight)
    }
    switch e.body {
    case .meetingHeld(let m):
      let place = m.place.map { " in \($0.city)" } ?? ""
      return make(.meetings, (m.title ?? "Meeting") + place)
    case .agreementPledged(let p): return make(.pledges, p.summary)
    case .itemResolved(let r):
      return make(.closed, "\(r.item): \(r.outcome.rawValue.replacingAll("_", with: " "))" + (r.note.map { " — \($0)" } ?? ""), r.outcome)
    case .thanksExpressed(let t): return make(.thanks, "\(t.from.name) (\(t.from.country)) thanks \(t.to) for \(t.reason)")
    case .statementMade(let s): return make(.statements, "\(s.speaker.name): \(s.text)")
    case .itemUpdated, .eventRetracted: return nil
    }
  }

  /// The score at the end of each sampled day from the first event to the point's day:
  /// Σ weight × 0.5^(days since the event / 365) over the events up to that day, the
  /// same sum the state's score is, kept as a running sum decayed from sample to sample.
  /// At most about 600 samples; every event's day is one, so steps are not smoothed away.
  public static func curve(_ entries: [FoldedEvent], until lastDay: Int) -> [ScorePoint] {
    // An event dated after the point (possible without --as-of) counts undecayed, as in the state.
    let contributions = entries.map { (day: min($0.event.occurredAt.day, lastDay), weight: $0.weight) }
      .sorted { $0.day < $1.day }
    guard let firstDay = contributions.first?.day else { return [] }
    let step = max(1, (lastDay - firstDay) / 600)
    var days = Set(contributions.map(\.day))
    var d = firstDay
    while d < lastDay {
      days.insert(d)
      d += step
    }
    days.insert(lastDay)
    var points: [ScorePoint] = []
    var sum = 0.0
    var sumDay = firstDay
    var next = 0
    for day in days.sorted() {
      sum *= pow(0.5, Double(day - sumDay) / ScoreWeights.halfLifeDays)
      sumDay = day
      while next < contributions.count, contributions[next].day <= day {
        sum += contributions[next].weight * pow(0.5, Double(day - contributions[next].day) / ScoreWeights.halfLifeDays)
        next += 1
      }
      points.append(ScorePoint(day: day, score: sum))
    }
    return points
  }
}
