import Testing

@testable import MeetlogKit

/// A deterministic generator of valid histories: meetings, statements, pledges, thanks,
/// updates, resolutions and retractions, with backfilled events and mixed date forms.
struct HistoryGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed &* 6_364_136_223_846_793_005 &+ 1 }

  mutating func next(_ bound: Int) -> Int {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int((state >> 33) % UInt64(bound))
  }

  let countries = ["SI", "BA", "HR", "RS", "EU", "XK"]

  mutating func time(_ day: Int) -> String {
    let date = Timestamp.formatDay(day)
    return next(4) == 0 ? date : "\(date)T\(pad2(next(24))):\(pad2(next(60))):00\(next(2) == 0 ? "Z" : "+02:00")"
  }

  /// `count` event lines in append order.
  mutating func lines(_ count: Int) -> [String] {
    var out: [String] = []
    var meetings: [(String, Int)] = []
    var openItems: [(String, Int)] = []
    var retractable: [String] = []
    var day = 19_000
    for n in 0..<count {
      day += next(20)
      let occurred = next(10) == 0 ? day - next(400) : day  // backfilled
      let id = "e\(n)"
      let a = countries[next(countries.count)]
      var b = countries[next(countries.count)]
      if a == b { b = a == "SI" ? "BA" : "SI" }
      switch next(10) {
      case 0, 1:
        let meeting = "m\(n)"
        out.append(
          Fixtures.meeting(id, time(occurred), city: "City\(next(5))", countries: [a, b]).replacingAll(
            #""data":{"#, with: #""data":{"meeting":"\#(meeting)","#))
        meetings.append((meeting, occurred + 1))
        retractable.append(id)
      case 2, 3:
        if let m = meetings.randomElement(using: &self), next(2) == 0 {
          out.append(Fixtures.statement(id, Timestamp.formatDay(max(occurred, m.1)), meeting: m.0, about: [b]))
        } else {
          out.append(Fixtures.statement(id, time(occurred), about: [a, b].filter { $0 != "SI" }.isEmpty ? ["BA"] : [b]))
        }
        retractable.append(id)
      case 4, 5:
        let item = "i\(n)"
        let due = next(3) == 0 ? nil : Timestamp.formatDay(occurred + next(200))
        out.append(Fixtures.pledge(id, Timestamp.formatDay(occurred), item: item, due: due, parties: [a, b]))
        openItems.append((item, occurred))
      case 6:
        out.append(Fixtures.thanks(id, time(occurred), from: a, to: b))
        retractable.append(id)
      case 7:
        guard let i = openItems.indices.randomElement(using: &self) else { continue }
        let when = Timestamp.formatDay(max(occurred, openItems[i].1))
        out.append(
          #"{"id":"\#(id)","type":"item.updated","occurred_at":"\#(when)","data":{"item":"\#(openItems[i].0)","due":"\#(Timestamp.formatDay(occurred + 100))"}}"#
        )
      case 8:
        guard let i = openItems.indices.randomElement(using: &self) else { continue }
        let outcomes = Outcome.allCases.filter { $0 != .superseded }
        let when = Timestamp.formatDay(max(occurred, openItems[i].1))
        out.append(Fixtures.resolve(id, when, item: openItems[i].0, outcome: outcomes[next(outcomes.count)].rawValue))
        openItems.remove(at: i)
      default:
        guard let i = retractable.indices.randomElement(using: &self) else { continue }
        let target = retractable.remove(at: i)
        meetings.removeAll { "e" + $0.0.dropFirst() == target }
        out.append(Fixtures.retract(id, time(occurred), target: target))
      }
    }
    return out
  }
}

extension HistoryGenerator: RandomNumberGenerator {
  mutating func next() -> UInt64 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return state
  }
}

@Suite struct PropertyTests {
  /// Appends `lines` in batches recorded at successive days, so --known-at has meaning.
  func store(_ lines: [String]) throws -> SQLiteEventStore {
    let store = try SQLiteEventStore(path: Fixtures.tempPath(), mode: .write)
    var start = 0
    var day = 20_000
    while start < lines.count {
      let end = min(lines.count, start + 7)
      _ = try store.append(try Fixtures.pending(Array(lines[start..<end])), expectSeq: nil, now: Int64(day) * Timestamp.microsPerDay)
      start = end
      day += 1
    }
    return store
  }

  /// The SPEC's definition, written out naively over the whole log in memory.
  func naiveState(_ log: [RecordedEvent], _ point: PointInTime) -> ProjectedState {
    var prefix = log
    if let atSeq = point.atSeq { prefix = prefix.filter { $0.seq <= atSeq } }
    if let knownAt = point.knownAtMicros { prefix = prefix.filter { $0.recordedAt.micros <= knownAt } }
    var retracted = Set<String>()
    for r in prefix { if case .eventRetracted(let x) = r.event.body { retracted.insert(x.target) } }
    let included = prefix.filter { r in
      r.event.type != .eventRetracted && !retracted.contains(r.event.id)
        && (point.asOfMicros.map { r.event.occurredAt.micros <= $0 } ?? true)
    }.sorted { ($0.event.occurredAt.micros, $0.seq) < ($1.event.occurredAt.micros, $1.seq) }
    var projector = Projector(point: point)
    for r in included { projector.apply(r.event) }
    return projector.result(seq: prefix.last?.seq ?? 0)
  }

  static func rendered(_ state: ProjectedState) -> String {
    StateRenderer.render(state, section: .all, allItems: true, format: .json)
  }

  func everything(_ store: SQLiteEventStore) throws -> [RecordedEvent] {
    var all: [RecordedEvent] = []
    try store.scan(EventQuery()) {
      all.append($0)
      return true
    }
    return all
  }

  @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
  func stateAtAPointEqualsTheNaiveFold(seed: UInt64) throws {
    var generator = HistoryGenerator(seed: seed)
    let store = try store(generator.lines(140))
    let log = try everything(store)
    #expect(try store.verify().faults.isEmpty)
    let now = Int64(21_000) * Timestamp.microsPerDay
    for _ in 0..<12 {
      var point = PointInTime(now: now)
      if generator.next(2) == 0 { point.asOf = try Timestamp.parse(Timestamp.formatDay(19_000 + generator.next(1_500))).get() }
      if generator.next(3) == 0 { point.knownAt = try Timestamp.parse(Timestamp.formatDay(20_000 + generator.next(22))).get() }
      if generator.next(3) == 0 { point.atSeq = Int64(generator.next(log.count + 5)) }
      // StateFold against the naive use of Projector, the reference fold: what a user
      // sees (the JSON, every item) must be the same.
      let fast = try StateQuery.run(store, point)
      let naive = naiveState(log, point)
      #expect(Self.rendered(fast) == Self.rendered(naive), "point \(point)")
      #expect(try StateQuery.runReference(store, point) == naive, "point \(point)")
    }
  }

  @Test(arguments: [7, 8, 9] as [UInt64])
  func exportThenImportGivesAnIdenticalExport(seed: UInt64) throws {
    var generator = HistoryGenerator(seed: seed)
    let store = try store(generator.lines(120))
    var first: [UInt8] = []
    try Operations.export(store) { first += $0 }
    let objects = try InputReader.read(first, file: "export")
    let pending = try objects.map { PendingEvent(input: try EventDecoder.decode($0.value, recordFields: true), location: $0.location) }
    let copyPath = Fixtures.tempPath()
    _ = try Operations.importExport(storePath: copyPath, events: pending)
    let copy = try SQLiteEventStore(path: copyPath, mode: .read)
    var second: [UInt8] = []
    try Operations.export(copy) { second += $0 }
    #expect(first == second)
    #expect(try copy.verify().faults.isEmpty)
  }

  @Test(arguments: [10, 11, 12] as [UInt64])
  func appendingAnIdenticalEventAgainChangesNothing(seed: UInt64) throws {
    var generator = HistoryGenerator(seed: seed)
    let lines = generator.lines(80)
    let store = try store(lines)
    let head = try store.head()
    let point = PointInTime(now: Int64(21_000) * Timestamp.microsPerDay)
    let state = try StateQuery.run(store, point)
    for _ in 0..<10 {
      let line = lines[generator.next(lines.count)]
      let outcome = try store.append(try Fixtures.pending([line]), expectSeq: nil, now: Int64(22_000) * Timestamp.microsPerDay)
      #expect(outcome.allSatisfy { $0.duplicate })
    }
    #expect(try store.head() == head)
    #expect(try StateQuery.run(store, point) == state)
  }
}

/// Snapshots never change a result: states resumed from a snapshot equal the whole fold,
/// bit for bit, at random points, while backfills and retractions arrive after it.
@Suite struct SnapshotPropertyTests {
  @Test(arguments: [21, 22, 23, 24] as [UInt64])
  func resumingFromASnapshotGivesTheSameState(seed: UInt64) throws {
    var generator = HistoryGenerator(seed: seed)
    let lines = generator.lines(220)
    let store = try SQLiteEventStore(path: Fixtures.tempPath(), mode: .write)
    var resumed = 0
    var fromCheckpoints = 0
    var queries = 0
    var start = 0
    var day = 20_000
    while start < lines.count {
      let end = min(lines.count, start + 9)
      _ = try store.append(try Fixtures.pending(Array(lines[start..<end])), expectSeq: nil, now: Int64(day) * Timestamp.microsPerDay)
      start = end
      day += 1
      // A snapshot now and then, with a cut anywhere from the past to the last occurrence.
      // Checkpoints every few events (or none), so that as-of points resume from them.
      if generator.next(4) == 0 {
        try store.writeSnapshot(
          now: Int64(19_000 + generator.next(1_800)) * Timestamp.microsPerDay, checkpointEvery: [7, 0, 4][generator.next(3)])
      }
      for _ in 0..<3 {
        var point = PointInTime(now: Int64(21_000) * Timestamp.microsPerDay)
        if generator.next(3) > 0 { point.asOf = try Timestamp.parse(Timestamp.formatDay(19_000 + generator.next(1_600))).get() }
        if generator.next(4) == 0 { point.knownAt = try Timestamp.parse(Timestamp.formatDay(20_000 + generator.next(30))).get() }
        if generator.next(4) == 0 { point.atSeq = Int64(generator.next(start + 5)) }
        let withItems = generator.next(2) == 0
        let withTopics = generator.next(3) > 0
        let fast = try StateQuery.runResuming(
          store, point, weights: ScoreWeights(), withItems: withItems, withTopics: withTopics, useSnapshots: true)
        let whole = try StateQuery.runResuming(
          store, point, weights: ScoreWeights(), withItems: withItems, withTopics: withTopics, useSnapshots: false)
        #expect(whole.resumedCut == nil)
        #expect(fast.state == whole.state, "point \(point)")
        if withItems {
          // Open items only (`state` without --all): the same list less the closed items.
          var open = whole.state
          open.items.removeAll { $0.outcome != nil }
          let openOnly = try StateQuery.runResuming(
            store, point, weights: ScoreWeights(), withItems: true, closedItems: false, withTopics: withTopics, useSnapshots: true)
          #expect(openOnly.state == open, "point \(point)")
          // Items written straight from the fold print what their values print.
          for closedItems in [true, false] {
            let folded = try StateQuery.runFolded(
              store, point, withItems: true, closedItems: closedItems, withTopics: withTopics, useSnapshots: generator.next(2) == 0)
            let values = closedItems ? whole.state : open
            for format in [OutputFormat.json, .ndjson, .table] {
              let colour = format == .table && generator.next(2) == 0
              let direct = StateRenderer.renderBytes(
                folded.state, items: folded.items, section: .all, allItems: closedItems, format: format, colour: colour,
                splitAt: generator.next(2) == 0 ? 2 : 2_000)
              let reference = StateRenderer.renderBytes(values, section: .all, allItems: closedItems, format: format, colour: colour)
              let same = direct == reference
              #expect(same, "point \(point), \(format): the items written from the fold differ from their values")
            }
          }
        }
        if fast.resumedCut != nil { resumed += 1 }
        if let cut = fast.resumedCut, try store.snapshots().first?.cutMicros != cut { fromCheckpoints += 1 }
        queries += 1
      }
    }
    // A snapshot written by resuming an older one is byte for byte the one a whole fold
    // writes: verify rebuilds it from scratch and compares.
    #expect(try store.snapshots().count == 1)
    #expect(try store.verify(expectHead: nil).faults.isEmpty)
    // The test means something only if snapshots were used, and not always.
    #expect(resumed > 5, "\(resumed) of \(queries) queries resumed from a snapshot")
    #expect(fromCheckpoints > 2, "\(fromCheckpoints) of \(queries) queries resumed from a checkpoint")
    #expect(resumed < queries)
  }

  /// A large first append's snapshot is folded from memory (on a thread of its own
  /// while the append checks and writes, `SpeculativeSnapshot`; or from the events the
  /// append collected, when the snapshot is written): the same bytes, and the same
  /// checkpoints, as reading the log back.
  @Test(arguments: [41, 42] as [UInt64])
  func aSnapshotFromTheAppendedEventsIsTheOneReadBack(seed: UInt64) throws {
    var generator = HistoryGenerator(seed: seed)
    // Thousands of topics and cities, first met in one order when written and in
    // another when folded (backfilled events come earlier in fold order).
    let lines = generator.lines(9_000).enumerated().map { n, line in
      line.replacingAll(#""topics":["migration"]"#, with: #""topics":["t\#(n * 7919 % 3000)","t\#(n % 7)"]"#)
        .replacingAll(#""city":"City"#, with: #""city":"C\#(n * 31 % 500)-"#)
        .replacingAll(#""text":"words""#, with: #""text":"words","topics":["t\#(n * 104_729 % 3000)"]"#)
    }
    let now = Int64(200_000) * Timestamp.microsPerDay
    var written: [[[UInt8]]] = []
    for way in ["prepared during the append", "folded from memory after it", "read back"] {
      let store = try SQLiteEventStore(path: Fixtures.tempPath(), mode: .write)
      store.checkpointEvery = 500
      if way == "prepared during the append" { store.snapshotEvery = 8_000 }
      _ = try store.append(try Fixtures.pending(lines), expectSeq: nil, now: now)
      if way == "prepared during the append" {
        #expect(store.preparedSnapshot != nil && store.appendedFold == nil)
        #expect(store.maintainSnapshot(now: now))
      } else {
        #expect(store.preparedSnapshot == nil && store.appendedFold != nil)
        if way == "read back" { store.appendedFold = nil }
        try store.writeSnapshot(now: now, checkpointEvery: 500)
      }
      #expect(store.appendedFold == nil && store.preparedSnapshot == nil)
      #expect(try store.verify().faults.isEmpty)
      var rows: [[UInt8]] = []
      for query in [
        "SELECT seq_bound, cut_us, relations, items FROM snapshots",
        "SELECT cut_us, with_topics, relations, dues FROM checkpoints ORDER BY cut_us",
      ] {
        let statement = try store.connection.prepare(query)
        while try statement.step() { rows += (0..<4).map { statement.blob($0) } }
      }
      written.append(rows)
    }
    #expect(written[0].count > 10)
    #expect(written[0] == written[2])
    #expect(written[1] == written[2])
  }

  /// The texts of a snapshot's items read back in two halves at once (the second
  /// through a connection of its own) are those read in one.
  @Test func itemTextsReadInTwoHalvesAreThoseReadInOne() throws {
    var generator = HistoryGenerator(seed: 7)
    let store = try Fixtures.store(generator.lines(200))
    try store.writeSnapshot(now: Fixtures.day("2030-01-01T00:00:00Z"))
    let snapshot = try #require(try store.snapshots().first)
    var lists: [[ItemState]] = []
    for splitAt in [Int.max, 2] {
      var fold = try #require(try store.loadFold(snapshot, weights: ScoreWeights(), pointDay: 21_000, withItems: true))
      try store.readSnapshot { () throws(MeetlogError) in try store.readDetails(into: &fold, closedItems: true, splitAt: splitAt) }
      lists.append(FoldedItems(fold.items, pointDay: 21_000, closedItems: true).itemStates())
    }
    #expect(lists[0].count > 10)
    #expect(lists[0] == lists[1])
  }

  @Test func otherWeightsFoldTheWholeLog() throws {
    var generator = HistoryGenerator(seed: 5)
    let store = try Fixtures.store(generator.lines(60))
    try store.writeSnapshot(now: Fixtures.day("2030-01-01T00:00:00Z"))
    let point = PointInTime(now: Fixtures.day("2030-01-01T00:00:00Z"))
    #expect(try StateQuery.runResuming(store, point, weights: ScoreWeights(), withItems: true, useSnapshots: true).resumedCut != nil)
    var weights = ScoreWeights()
    weights.meetingHeld = 2
    let custom = try StateQuery.runResuming(store, point, weights: weights, withItems: true, useSnapshots: true)
    #expect(custom.resumedCut == nil)
    #expect(custom.state == (try StateQuery.runResuming(store, point, weights: weights, withItems: true, useSnapshots: false)).state)
  }
}
