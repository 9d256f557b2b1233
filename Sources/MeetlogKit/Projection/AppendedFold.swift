/// The fold's view of the events a large first append wrote, taken from each event as
/// it is appended, so the snapshot written after the append folds them from memory
/// instead of reading the whole log back (which took about 0.6 s of a 3.7 s
/// 100,000-event first append).
///
/// Topics and cities are interned in tables of its own, in append order; `fold` interns
/// them into the fold's tables in fold order, as reading the log back would, so the
/// snapshot it gives is byte for byte the one a replay gives (`verify` checks that).
final class AppendedFold {
  private var events: [FoldEvent] = []
  private var seqs: [Int64] = []
  private var topics = StringTable()
  private var cities = StringTable()
  /// The last seq added, and the seqs of the events retracted.
  private(set) var lastSeq: Int64 = 0
  private var retracted: Set<Int64> = []
  /// The latest instant of any event added, retractions included (0 for none), as
  /// `max(occurred_us)` of the rows written.
  var lastOccurrence: Int64 { latest ?? 0 }
  private var latest: Int64?
  /// True once `fold` has run: it remaps the events in place, so it runs once.
  private(set) var folded = false

  /// Adds an appended event; a retraction adds only its target's seq (the fold skips
  /// retractions and what they retract).
  func add(_ event: Event, seq: Int64, retracting target: Int64?) {
    lastSeq = seq
    latest = max(latest ?? event.occurredAt.micros, event.occurredAt.micros)
    if let target { retracted.insert(target) }
    guard let folded = FoldEvent(event, seq: seq, topics: &topics, cities: &cities) else { return }
    events.append(folded)
    seqs.append(seq)
  }

  /// Folds the events that occurred at or before `cut` and were not retracted, in
  /// occurrence order (seq breaking ties), as `StateQuery.foldEvents` reads them; false
  /// when `stopped` said so (asked every 4,096 events) before the end.
  @discardableResult
  func fold(into fold: inout StateFold, upTo cut: Int64, stopped: () -> Bool = { false }) -> Bool {
    precondition(!folded, "an appended fold is folded once")
    folded = true
    var order = events.indices.filter { events[$0].micros <= cut && !retracted.contains(seqs[$0]) }
    order.sort { events[$0].micros != events[$1].micros ? events[$0].micros < events[$1].micros : seqs[$0] < seqs[$1] }
    var topicMap = [Int32](repeating: -1, count: topics.strings.count)
    var cityMap = [Int32](repeating: -1, count: cities.strings.count)
    func map(_ index: Int32, _ local: StringTable, _ map: inout [Int32], _ global: inout StringTable) -> Int32 {
      if map[Int(index)] < 0 { map[Int(index)] = global.intern(local[index]) }
      return map[Int(index)]
    }
    for (n, i) in order.enumerated() {
      if n & 4095 == 4095 && stopped() { return false }
      // Remapped in place: a copy of each event cost as much as folding it.
      events[i].remap(topic: { map($0, topics, &topicMap, &fold.topics) }, city: { map($0, cities, &cityMap, &fold.cities) })
      fold.applyRecording(events[i])
    }
    return true
  }
}
