import Synchronization

/// The snapshot of a large first append, folded on a thread of its own while the
/// checking thread checks and chains the batch and the writer thread writes it.
///
/// Before, the checking thread collected the fold's events as it appended them and
/// folded them at the end, alone, after the writer had finished: about a fifth of a
/// 100,000-event append with one core idle. Folding needs each event's seq, which the
/// check assigns; but for a batch whose events all carry their id, no two the same,
/// appended to an empty log, the seqs are known before the check (1, 2, 3, … in batch
/// order: no event can be a duplicate) and a retraction's target is the event with
/// that id. Any other batch is not folded here (`finish` gives nil, and the snapshot is
/// folded from the log after the append, as for any append). The check's outcome is
/// the proof: its result is used only if the check appended every event of the batch
/// (`SQLiteEventStore.append`); a batch the check refuses stops the thread.
final class SpeculativeSnapshot {
  private let shared = Shared()
  private let thread: BackgroundThread?

  /// Starts folding `batch` as the whole log; the snapshot's key takes `now` (the
  /// append's clock) and `checkpointEvery`.
  init(_ batch: [PendingEvent], now: Int64, checkpointEvery: Int) {
    let shared = self.shared
    let work: @Sendable () -> Void = {
      shared.value = Self.fold(batch, now: now, checkpointEvery: checkpointEvery) { shared.stopping.load(ordering: .relaxed) }
    }
    thread = BackgroundThread(work)
    if thread == nil { work() }
  }

  /// The snapshot, once the thread has folded it; nil for a batch this cannot fold.
  func finish() -> PreparedSnapshot? {
    thread?.join()
    return shared.value
  }

  /// Stops the thread early (the append failed) and waits for it.
  func cancel() {
    shared.stopping.store(true, ordering: .relaxed)
    thread?.join()
  }

  deinit { cancel() }

  /// The batch folded as `AppendedFold` folds a large first append, with the seqs the
  /// check would give; nil when an event has no id of its own or an id comes twice (a
  /// retraction whose target is not earlier fails the check, and is nil here too).
  static func fold(_ batch: [PendingEvent], now: Int64, checkpointEvery: Int, stopped: () -> Bool) -> PreparedSnapshot? {
    var positions: [String: Int32] = [:]
    positions.reserveCapacity(batch.count)
    let appended = AppendedFold()
    /// Adds one event, passed borrowed: copying each `PendingEvent` and `Event` retained
    /// and released every String in it (a third of this thread's samples were that).
    func add(_ event: Event, at position: Int) -> Bool {
      guard positions.updateValue(Int32(position), forKey: event.id) == nil else { return false }
      var target: Int64?
      if case .eventRetracted(let r) = event.body {
        guard let earlier = positions[r.target] else { return false }
        target = Int64(earlier) + 1
      }
      appended.add(event, seq: Int64(position) + 1, retracting: target)
      return true
    }
    for position in batch.indices {
      if position & 4095 == 4095 && stopped() { return nil }
      guard batch[position].input.idGiven, add(batch[position].input.event, at: position) else { return nil }
    }
    let key = PreparedSnapshot.Key(
      bound: appended.lastSeq, lastOccurrence: appended.lastOccurrence, now: now, weights: ScoreWeights(),
      checkpointEvery: checkpointEvery)
    return PreparedSnapshot.folding(appended, key: key, weights: ScoreWeights(), stopped: stopped)
  }

  /// Where the thread leaves its result (read only after it is joined), and the flag
  /// that stops it.
  private final class Shared: @unchecked Sendable {
    var value: PreparedSnapshot?
    let stopping = Atomic<Bool>(false)
  }
}
