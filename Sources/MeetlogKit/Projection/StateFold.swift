#if canImport(Glibc)
  import Glibc
#endif

/// The fold `meetlog state` runs: the same rules as `Projector` (the reference, which
/// `replay` and `report` use), with countries and pairs as integers, topics and cities
/// interned, and every relation updated in place, so a million events fold in seconds
/// and little memory. A property test checks that it prints what `Projector` prints.
///
/// Its score does not depend on the point in time while folding: each pair keeps
/// Σ weight × 2^((day − reference day) / 365) and applies the decay to the point only
/// in `result`, so a fold can be stopped and resumed (snapshots) without changing a bit.
/// Events after the point's day (possible without `--as-of`) count undecayed, as in
/// `Projector`.
struct StateFold {
  struct Moment: Equatable {
    var micros: Int64
    var isDate: Bool

    var timestamp: Timestamp {
      let day = Int(floorDiv(micros, Timestamp.microsPerDay))
      return Timestamp(micros: micros, isDate: isDate, text: isDate ? Timestamp.formatDay(day) : Timestamp.formatUTC(micros))
    }
  }

  /// The items of a relation that a snapshot counted: open ones with the sorted due days
  /// of those that have one (overdue depends on the point), closed ones by outcome.
  struct BaseCounts: Equatable {
    var open = 0
    var byOutcome = [Int](repeating: 0, count: Outcome.allCases.count)
    var dueDays: [Int32] = []

    func overdue(before day: Int) -> Int {
      var low = 0
      var high = dueDays.count
      while low < high {
        let mid = (low + high) / 2
        if Int(dueDays[mid]) < day { low = mid + 1 } else { high = mid }
      }
      return low
    }
  }

  struct Relation: Equatable {
    var pair: PairIndex
    var meetings = 0
    var firstMeeting: Moment?
    var lastMeeting: Moment?
    var lastPlace: Int32?
    var statements = 0
    /// Thanks from the first country to the second, and back.
    var thanksForward = 0
    var thanksBackward = 0
    var topics: [Int32: Int] = [:]
    var lastEvent: Moment?
    /// The score: `decayedSum` at `referenceDay`, plus `undecayed` for events after the point.
    var decayedSum = 0.0
    var referenceDay: Int?
    var undecayed = 0.0
  }

  let weights: ScoreWeights
  let pointDay: Int
  var relations: [Relation] = []
  var relationIndex = PairTable()
  var items = ItemStore()
  var waiting: [String: [FoldEvent]] = [:]
  /// Loaded from a snapshot without its items: per relation, what those items count
  /// (`items` then holds only the items pledged after the snapshot).
  var baseCounts: [BaseCounts]?
  var topics = StringTable()
  var cities = StringTable()
  /// Set while a snapshot is written or verified: records its checkpoints.
  var recorder: CheckpointRecorder?

  /// False when nothing will print topics (tables): they are then not counted.
  let countTopics: Bool

  /// `keepDetails` false keeps only what the relations need (no item texts);
  /// `countTopics` false leaves the relations' topic counts empty.
  init(weights: ScoreWeights, pointDay: Int, keepDetails: Bool = true, countTopics: Bool = true) {
    self.weights = weights
    self.pointDay = pointDay
    self.countTopics = countTopics
    items.keepDetails = keepDetails
  }

  static func pairs(among countries: [CountryIndex]) -> [PairIndex] {
    // Most meetings and pledges name two countries: one pair, no sorting.
    if countries.count == 2 {
      let (a, b) = (countries[0], countries[1])
      return a == b ? [] : [CountryIndexing.pair(a, b)]
    }
    var distinct = countries
    if distinct.count > 1 {
      distinct.sort()
      var unique: [CountryIndex] = [distinct[0]]
      for c in distinct.dropFirst() where c != unique[unique.count - 1] { unique.append(c) }
      distinct = unique
    }
    var result: [PairIndex] = []
    for i in distinct.indices {
      for j in (i + 1)..<distinct.count { result.append(PairIndex(distinct[i]) << 16 | PairIndex(distinct[j])) }
    }
    return result
  }

  func weight(_ body: FoldEvent.Body) -> Double {
    switch body {
    case .meeting: weights.meetingHeld
    case .statement: weights.statementMade
    case .pledge: weights.agreementPledged
    case .thanks: weights.thanksExpressed
    case .updated: weights.itemUpdated
    case .resolved(_, let outcome): weights.resolved[outcome] ?? 0
    }
  }

  /// Applies an event, letting the checkpoint recorder, if any, see its instant first.
  mutating func applyRecording(_ event: FoldEvent) {
    if var recorder {
      self.recorder = nil
      recorder.before(event.micros, relations: relations, waiting: !waiting.isEmpty)
      self.recorder = recorder
    }
    apply(event)
  }

  mutating func apply(_ event: FoldEvent) {
    let touched: [PairIndex]
    var eventTopics: [Int32] = []
    switch event.body {
    case .meeting(let countries, _, let t):
      touched = Self.pairs(among: countries)
      eventTopics = t
    case .statement(let speaker, let about, let t):
      var list: [PairIndex] = []
      for country in about where country != speaker {
        let pair = CountryIndexing.pair(speaker, country)
        if !list.contains(pair) { list.append(pair) }
      }
      touched = list
      eventTopics = t
    case .pledge(let p):
      touched = Self.pairs(among: p.parties + p.with)
      eventTopics = p.topics
      if recorder != nil && items.find(p.item ?? p.id) != nil { recorder!.itemReplaced() }
      items.pledge(p, pairs: touched, micros: event.micros, isDate: event.isDate)
    case .thanks(let from, let to):
      touched = from == to ? [] : [CountryIndexing.pair(from, to)]
    case .updated(let id, _), .resolved(let id, _):
      guard let slot = items.find(id) else {
        waiting[id, default: []].append(event)
        return
      }
      touched = Array(items.pairs(of: slot))
    }
    if !countTopics {
      eventTopics = []
    } else if eventTopics.count > 1 {
      // A handful of topics: drop repeats without a set.
      var unique: [Int32] = []
      unique.reserveCapacity(eventTopics.count)
      for topic in eventTopics where !unique.contains(topic) { unique.append(topic) }
      eventTopics = unique
    }
    let weight = weight(event.body)
    let day = event.day
    let moment = Moment(micros: event.micros, isDate: event.isDate)
    for pair in touched {
      let index: Int
      if let existing = relationIndex[pair] {
        index = existing
      } else {
        index = relations.count
        relationIndex[pair] = index
        relations.append(Relation(pair: pair))
      }
      Self.update(
        &relations[index], pair: pair, event: event, moment: moment, day: day, weight: weight, topics: eventTopics, pointDay: pointDay)
    }
    switch event.body {
    case .updated(let id, let due):
      if let due, let slot = items.find(id) {
        let s = Int(slot)
        if recorder != nil {
          let (pledged, before) = (items.pledgedMicros[s], items.dueDay[s])
          recorder!.dueChanged(slot: slot, pledgedMicros: pledged, pledgeDue: before, micros: event.micros, due: Int32(due.day))
        }
        items.dueDay[s] = Int32(due.day)
      }
    case .resolved(let id, let outcome):
      if let slot = items.find(id) { items.resolve(slot, outcome, micros: event.micros, isDate: event.isDate) }
    case .pledge(let p):
      if let early = waiting.removeValue(forKey: p.item ?? p.id) {
        for e in early { apply(e) }
      }
    default: break
    }
  }

  static func update(
    _ r: inout Relation, pair: PairIndex, event: FoldEvent, moment: Moment, day: Int, weight: Double, topics: [Int32], pointDay: Int
  ) {
    if weight != 0 {
      if day > pointDay {
        r.undecayed += weight
      } else {
        // Rebase far from the reference so 2^(days / 365) stays well inside a Double.
        if r.referenceDay == nil || abs(day - r.referenceDay!) > 36_500 {
          if let reference = r.referenceDay { r.decayedSum *= exp2(Double(reference - day) / ScoreWeights.halfLifeDays) }
          r.referenceDay = day
        }
        r.decayedSum += weight * exp2(Double(day - r.referenceDay!) / ScoreWeights.halfLifeDays)
      }
    }
    if r.lastEvent.map({ $0.micros < moment.micros }) ?? true { r.lastEvent = moment }
    for topic in topics { r.topics[topic, default: 0] += 1 }
    switch event.body {
    case .meeting(_, let city, _):
      r.meetings += 1
      if r.firstMeeting.map({ moment.micros < $0.micros }) ?? true { r.firstMeeting = moment }
      r.lastMeeting = moment
      r.lastPlace = city
    case .statement: r.statements += 1
    case .thanks(let from, _):
      if CountryIndex(pair >> 16) == from { r.thanksForward += 1 } else { r.thanksBackward += 1 }
    default: break
    }
  }

  /// What the items count per relation, as a snapshot stores it.
  func itemCountsPerRelation() -> [BaseCounts] {
    var counts = [BaseCounts](repeating: BaseCounts(), count: relations.count)
    items.forEachPair { slot, pair in
      guard let index = relationIndex[pair] else { return }
      let code = items.outcome[slot]
      if code == 0 {
        counts[index].open += 1
        let due = items.dueDay[slot]
        if due != Int32.min { counts[index].dueDays.append(due) }
      } else {
        counts[index].byOutcome[Int(code) - 1] += 1
      }
    }
    for index in counts.indices { counts[index].dueDays.sort() }
    return counts
  }

  /// The state at the point, its items left in the fold (`FoldedItems`, for the state's
  /// item list or its output): `withItems` false gives none (the relations still count
  /// their items), `closedItems` false lists only the open items.
  func foldedResult(
    point: PointInTime, seq: Int64, withItems: Bool = true, closedItems: Bool = true, withTopics: Bool = true
  ) -> (state: ProjectedState, items: FoldedItems?) {
    var counts = [ItemCounts](repeating: ItemCounts(), count: relations.count)
    if let baseCounts {
      for (index, base) in baseCounts.enumerated() {
        counts[index].open = base.open
        counts[index].overdue = base.overdue(before: pointDay)
        for (k, outcome) in Outcome.allCases.enumerated() where base.byOutcome[k] > 0 {
          counts[index].byOutcome[outcome] = base.byOutcome[k]
        }
      }
    }
    // Closed items counted by relation and outcome code in one flat table, then added
    // to each relation's dictionary (one dictionary update per item was a quarter of this).
    let outcomes = Outcome.allCases
    var closed = [Int](repeating: 0, count: relations.count * outcomes.count)
    items.outcome.withUnsafeBufferPointer { codes in
      items.dueDay.withUnsafeBufferPointer { dues in
        items.forEachPair { slot, pair in
          guard let index = relationIndex[pair] else { return }
          let code = Int(codes[slot])
          if code != 0 {
            closed[index * outcomes.count + code - 1] += 1
          } else {
            counts[index].open += 1
            if dues[slot] != Int32.min && Int(dues[slot]) < pointDay { counts[index].overdue += 1 }
          }
        }
      }
    }
    for index in counts.indices {
      for (k, outcome) in outcomes.enumerated() where closed[index * outcomes.count + k] > 0 {
        counts[index].byOutcome[outcome, default: 0] += closed[index * outcomes.count + k]
      }
    }
    var relationList: [RelationState] = []
    relationList.reserveCapacity(relations.count)
    for (index, r) in relations.enumerated() {
      let a = CountryIndexing.code(CountryIndex(r.pair >> 16))
      let b = CountryIndexing.code(CountryIndex(r.pair & 0xFFFF))
      var state = RelationState(pair: a + "-" + b, countries: [a, b])
      state.meetingCount = r.meetings
      state.firstMeeting = r.firstMeeting?.timestamp
      state.lastMeeting = r.lastMeeting?.timestamp
      state.lastPlace = r.lastPlace.map { cities[$0] }
      state.statements = r.statements
      state.thanks = ["\(a)>\(b)": r.thanksForward, "\(b)>\(a)": r.thanksBackward]
      if withTopics {
        state.topics.reserveCapacity(r.topics.count)
        for (topic, count) in r.topics { state.topics[topics[topic]] = count }
      }
      state.lastEventAt = r.lastEvent?.timestamp
      let decay = r.referenceDay.map { exp2(Double($0 - pointDay) / ScoreWeights.halfLifeDays) } ?? 0
      state.score = r.decayedSum * decay + r.undecayed
      state.itemCounts = counts[index]
      relationList.append(state)
    }
    relationList.sort { $0.pair < $1.pair }
    let folded = withItems && items.keepDetails ? FoldedItems(items, pointDay: pointDay, closedItems: closedItems) : nil
    return (ProjectedState(point: point, seq: seq, relations: relationList, items: []), folded)
  }
}
