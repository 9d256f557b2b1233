/// A snapshot folded, encoded and compressed, ready to be stored with its checkpoints.
///
/// `writeSnapshot` makes one and stores it. A large first append makes one earlier
/// (`folding`): while the writer thread finishes the batch's last rows, the checking
/// thread, which would otherwise wait for it, folds the appended events from memory.
/// The snapshot after the append then only stores the bytes (see `docs/benchmarks.md`).
struct PreparedSnapshot {
  /// What the snapshot is of: one prepared for a key is what `writeSnapshot` would
  /// write for the same key.
  struct Key: Equatable {
    /// The log's head seq, and the last instant folded.
    var bound: Int64
    var cut: Int64
    /// The clock when the snapshot is written (its `created_at`).
    var now: Int64
    var fingerprint: String
    var checkpointEvery: Int

    init(bound: Int64, lastOccurrence: Int64, now: Int64, weights: ScoreWeights, checkpointEvery: Int) {
      self.bound = bound
      // A log holding events dated after `now` is cut at `now`.
      cut = min(lastOccurrence, now)
      self.now = now
      fingerprint = FoldSnapshot.fingerprint(weights)
      self.checkpointEvery = checkpointEvery
    }

    var pointDay: Int { Int(floorDiv(cut, Timestamp.microsPerDay)) }
  }

  let key: Key
  let relations: [UInt8]
  let items: [UInt8]
  /// The open items' part (`OpenItemsPart`); nil when the fold cannot list them all.
  let openItems: [UInt8]?
  /// The open items' table (`OpenTablePart`); nil when there is none to store.
  let openTable: [UInt8]?
  let checkpoints: [CheckpointRow]

  /// The snapshot of `fold`, which has folded the log up to the key's cut; nil when it
  /// has updates waiting for their pledge at the cut (no snapshot is written then).
  init?(_ fold: StateFold, key: Key) {
    guard fold.waiting.isEmpty else { return nil }
    self.key = key
    checkpoints = fold.recorder.map { $0.valid ? $0.rows : [] } ?? []
    let parts = FoldSnapshot.encode(fold)
    let compressor = ZstdCompressor(level: 3)
    relations = compressor.compress(parts.relations)
    items = parts.items.flatMap { compressor.compress($0) }
    openItems = parts.openItems.map { $0.flatMap { compressor.compress($0) } }
    openTable = parts.openTable.map { OpenTablePart.value($0, compressor: compressor) }
  }

  /// The snapshot of a log that `appended` holds whole (a large first append), folded
  /// from memory with checkpoints every `key.checkpointEvery` events; nil if `stopped`
  /// says so before the fold has ended.
  static func folding(
    _ appended: AppendedFold, key: Key, weights: ScoreWeights, stopped: () -> Bool = { false }
  ) -> PreparedSnapshot? {
    var fold = StateFold(weights: weights, pointDay: key.pointDay)
    if key.checkpointEvery > 0 { fold.recorder = CheckpointRecorder(spacing: .every(key.checkpointEvery)) }
    guard appended.fold(into: &fold, upTo: key.cut, stopped: stopped) else { return nil }
    fold.recorder?.finish(cut: key.cut, relations: fold.relations, waiting: !fold.waiting.isEmpty)
    return PreparedSnapshot(fold, key: key)
  }
}
