import Testing

@testable import MeetlogKit

/// A large first append's snapshot is folded on a thread of its own, with the seqs the
/// check would give; these check when it may not be, and that what it gives is what
/// the check's own seqs give.
struct SpeculativeSnapshotTests {
  let now = Int64(200_000) * Timestamp.microsPerDay

  func lines(_ count: Int, seed: UInt64 = 5) -> [String] {
    var generator = HistoryGenerator(seed: seed)
    return generator.lines(count)
  }

  /// The snapshot `AppendedFold` gives with the seqs an append assigned.
  func foldedAsAppended(_ store: SQLiteEventStore) throws -> PreparedSnapshot? {
    var recorded: [RecordedEvent] = []
    try store.scan(EventQuery()) { event in
      recorded.append(event)
      return true
    }
    let seqs = Dictionary(uniqueKeysWithValues: recorded.map { ($0.event.id, $0.seq) })
    let appended = AppendedFold()
    for event in recorded {
      var target: Int64?
      if case .eventRetracted(let r) = event.event.body { target = seqs[r.target] }
      appended.add(event.event, seq: event.seq, retracting: target)
    }
    let key = PreparedSnapshot.Key(
      bound: appended.lastSeq, lastOccurrence: appended.lastOccurrence, now: now, weights: ScoreWeights(), checkpointEvery: 300)
    return PreparedSnapshot.folding(appended, key: key, weights: ScoreWeights())
  }

  @Test func itFoldsWhatTheCheckedSeqsFold() throws {
    let batch = try Fixtures.pending(lines(3_000))
    let store = try Fixtures.store(lines(3_000))
    let expected = try #require(try foldedAsAppended(store))
    let folded = SpeculativeSnapshot.fold(batch, now: now, checkpointEvery: 300, stopped: { false })
    let speculated = try #require(folded)
    #expect(speculated.key == expected.key)
    #expect(speculated.relations == expected.relations)
    #expect(speculated.items == expected.items)
    #expect(speculated.checkpoints == expected.checkpoints)
    #expect(speculated.checkpoints.count > 3)
  }

  @Test func itDoesNotGuessSeqs() throws {
    let base = lines(200)
    // An event without an id of its own (the append generates one).
    let withoutId = base + [Fixtures.thanks("dropped", "2020-01-01").replacingAll(#""id":"dropped","#, with: "")]
    // An event given twice: the second is a duplicate, and gets no seq.
    let repeated = base + [base[3]]
    // A retraction of an event that comes after it: the check refuses the batch.
    let forward = base + [Fixtures.retract("r1", "2020-01-01", target: "late"), Fixtures.meeting("late", "2020-01-02")]
    for batch in [withoutId, repeated, forward] {
      #expect(SpeculativeSnapshot.fold(try Fixtures.pending(batch), now: now, checkpointEvery: 0, stopped: { false }) == nil)
    }
    #expect(SpeculativeSnapshot.fold(try Fixtures.pending(base), now: now, checkpointEvery: 0, stopped: { false }) != nil)
    #expect(SpeculativeSnapshot.fold(try Fixtures.pending(lines(5_000)), now: now, checkpointEvery: 0, stopped: { true }) == nil)
  }

  /// A batch with a duplicate is appended whole but for it: the speculated seqs are
  /// wrong, so the snapshot is folded from the log, and is the one read back.
  @Test func aBatchWithADuplicateIsFoldedFromTheLog() throws {
    let base = lines(9_000, seed: 11)
    let store = try SQLiteEventStore(path: Fixtures.tempPath(), mode: .write)
    store.snapshotEvery = 8_000
    let outcomes = try store.append(try Fixtures.pending(base + [base[10]]), expectSeq: nil, now: now)
    #expect(outcomes.last?.duplicate == true)
    #expect(store.preparedSnapshot == nil)
    #expect(store.maintainSnapshot(now: now))
    #expect(try store.snapshots().count == 1)
    #expect(try store.verify().faults.isEmpty)
  }

  /// An append that fails stops the folding thread and leaves nothing prepared.
  @Test func aRefusedBatchLeavesNothing() throws {
    let base = lines(9_000, seed: 12)
    let path = Fixtures.tempPath()
    let store = try SQLiteEventStore(path: path, mode: .write)
    store.snapshotEvery = 8_000
    let bad = base + [Fixtures.retract("r-missing", "2020-01-01", target: "no-such-event")]
    #expect(throws: MeetlogError.self) { try store.append(try Fixtures.pending(bad), expectSeq: nil, now: now) }
    #expect(store.preparedSnapshot == nil)
    #expect(try store.head().seq == 0)
  }
}
