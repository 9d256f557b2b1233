/// The `checkpoints` table: the checkpoints of the store's snapshot (`CheckpointRecorder`),
/// which `state --as-of` resumes from when its point lies before the snapshot's cut.
extension SQLiteEventStore {
  static let checkpointsTable = """
    CREATE TABLE IF NOT EXISTS checkpoints(
      snapshot_id INTEGER NOT NULL,
      cut_us INTEGER NOT NULL,
      with_topics INTEGER NOT NULL,
      relations BLOB NOT NULL,
      dues BLOB NOT NULL,
      UNIQUE (snapshot_id, cut_us)
    ) STRICT
    """

  /// How many events of fold order lie between two checkpoints of a snapshot:
  /// `MEETLOG_CHECKPOINT_EVERY`, default 4,000; 0 writes none. Halving it from 8,000
  /// (session 12) took the 1M as-of from 41.0 to 36.9 ms (medians of 12) for 1.5
  /// bytes per event; 2,000 measured no faster (36.1 vs 37.4 ms).
  public static let checkpointInterval: Int = {
    if let text = FileIO.environment("MEETLOG_CHECKPOINT_EVERY"), let n = Int(text), n >= 0 { return n }
    return 4_000
  }()

  /// The instants of a snapshot's checkpoints, in order; none when the store has no
  /// checkpoints table (written before checkpoints existed).
  func checkpointCuts(_ snapshot: SnapshotInfo) throws(MeetlogError) -> [(cut: Int64, withTopics: Bool)] {
    try translate { () throws(SQLiteError) in
      guard try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'checkpoints'") > 0 else { return [] }
      let statement = try connection.prepare("SELECT cut_us, with_topics FROM checkpoints WHERE snapshot_id = ? ORDER BY cut_us")
      try statement.bind(1, snapshot.id)
      var cuts: [(cut: Int64, withTopics: Bool)] = []
      while try statement.step() { cuts.append((statement.int64(0), statement.int64(1) != 0)) }
      return cuts
    }
  }

  /// A snapshot's checkpoint rows, decompressed: every row's due changes, and the
  /// relation deltas of the rows up to `relationsUpTo` (empty after it). Nil when one is
  /// damaged.
  func checkpointRows(_ snapshot: SnapshotInfo, relationsUpTo: Int64 = Int64.max) throws(MeetlogError) -> [CheckpointRow]? {
    try translate { () throws(SQLiteError) -> [CheckpointRow]? in
      let statement = try connection.prepare(
        "SELECT cut_us, with_topics, CASE WHEN cut_us <= ? THEN relations END, dues FROM checkpoints WHERE snapshot_id = ? ORDER BY cut_us"
      )
      try statement.bind(1, relationsUpTo)
      try statement.bind(2, snapshot.id)
      guard let decompressor = try? ZstdDecompressor() else { return nil }
      let limit = Int(Int32.max)
      var rows: [CheckpointRow] = []
      while try statement.step() {
        var row = CheckpointRow(cut: statement.int64(0), withTopics: statement.int64(1) != 0, relations: [], dues: [])
        if !statement.isNull(2) {
          guard let bytes = try? statement.withBlob(2, { (raw) throws(ZstdError) in try decompressor.decompress(raw, limit: limit) })
          else { return nil }
          row.relations = bytes
        }
        guard let dues = try? statement.withBlob(3, { (raw) throws(ZstdError) in try decompressor.decompress(raw, limit: limit) })
        else { return nil }
        row.dues = dues
        rows.append(row)
      }
      return rows
    }
  }

  /// The fold at the latest checkpoint of `snapshot` at or before `asOfMicros` that
  /// resuming from gives exactly the state within `bound` and `asOfMicros` (the rule of
  /// `isUsable`, with the checkpoint's instant as the cut), and that instant. Nil when
  /// there is none, or its rows are damaged (the caller then folds the whole log).
  ///
  /// The fold's items are still being made (`items`, on a thread of their own): the
  /// caller installs them before it folds the first event after the cut, and folds the
  /// whole log instead if they come back nil.
  func checkpointFold(
    _ snapshot: SnapshotInfo, bound: Int64, asOfMicros: Int64, weights: ScoreWeights, pointDay: Int, withItems: Bool,
    withTopics: Bool
  ) throws(MeetlogError) -> (fold: StateFold, cut: Int64, items: RewoundItems)? {
    guard snapshot.seqBound <= bound else { return nil }
    var chosen: Int64?
    for (cut, hasTopics) in try checkpointCuts(snapshot).reversed()
    where cut <= asOfMicros && floorDiv(cut, Timestamp.microsPerDay) <= pointDay && (hasTopics || !withTopics) {
      var at = snapshot
      at.cutMicros = cut
      if try isUsable(at, bound: bound, asOfMicros: asOfMicros) {
        chosen = cut
        break
      }
    }
    guard let cut = chosen else { return nil }
    let inMemory = path == ":memory:"
    let items = RewoundItems(
      path: path, snapshot: snapshot, stored: inMemory ? try storedBlob(snapshot, "items") : nil, cut: cut, keepDetails: withItems)
    guard let rows = try checkpointRows(snapshot, relationsUpTo: cut) else { return nil }
    var dues: [DueChange] = []
    for row in rows {
      guard let changes = CheckpointRecorder.decodeDues(row.dues) else { return nil }
      dues += changes
    }
    items.rewind(dues: dues)
    // Only the relations part's interned tables are needed: they lead it, and its first
    // 64 KiB usually hold them (a million-event log: 4.6 KB of 2.0 MB).
    func tables(_ part: [UInt8]?) -> StateFold? {
      part.flatMap {
        FoldSnapshot.decodeTables(relations: $0, weights: weights, pointDay: pointDay, keepDetails: withItems, countTopics: withTopics)
      }
    }
    var decoded = tables(try storedPrefix(snapshot, "relations", count: 1 << 16))
    if decoded == nil { decoded = tables(try storedPart(snapshot, "relations")) }
    guard var fold = decoded else { return nil }
    var relations: [StateFold.Relation] = []
    for row in rows where row.cut <= cut {
      guard CheckpointRecorder.apply(row.relations, to: &relations, topics: withTopics && row.withTopics) else { return nil }
    }
    fold.relations = relations
    fold.relationIndex = PairTable(pairs: relations.map(\.pair))
    return (fold, cut, items)
  }

  /// A recorder that carries on the checkpoints of `snapshot`, whose fold `loaded` is
  /// resumed from; nil when its rows cannot be carried on (none, damaged, or not ending
  /// at its cut), in which case the new snapshot folds the whole log.
  func carriedRecorder(_ snapshot: SnapshotInfo, loaded: StateFold, every: Int) throws(MeetlogError) -> CheckpointRecorder? {
    guard let rows = try checkpointRows(snapshot), let last = rows.last, last.cut == snapshot.cutMicros, last.withTopics else { return nil }
    var slots = Set<Int32>()
    for row in rows {
      guard let dues = CheckpointRecorder.decodeDues(row.dues) else { return nil }
      for change in dues { slots.insert(change.slot) }
    }
    return CheckpointRecorder(spacing: .every(every), carried: rows, relations: loaded.relations, slotsWithHistory: slots)
  }

  /// Replaces the stored checkpoints by `rows` of snapshot `snapshotId`, inside the
  /// caller's transaction.
  func storeCheckpoints(_ rows: [CheckpointRow], snapshotId: Int64) throws(SQLiteError) {
    try connection.execute(Self.checkpointsTable)
    try connection.execute("DELETE FROM checkpoints")
    guard !rows.isEmpty else { return }
    let compressor = ZstdCompressor(level: 3)
    let insert = try connection.prepare(
      "INSERT INTO checkpoints(snapshot_id, cut_us, with_topics, relations, dues) VALUES (?, ?, ?, ?, ?)")
    for row in rows {
      insert.reset()
      try insert.bind(1, snapshotId)
      try insert.bind(2, row.cut)
      try insert.bind(3, row.withTopics ? 1 : 0)
      try insert.bind(4, compressor.compress(row.relations))
      try insert.bind(5, compressor.compress(row.dues))
      try insert.run()
    }
  }
}
