/// Where a stored snapshot stopped: every event with seq ≤ `seqBound` that occurred at
/// or before `cutMicros` was folded, with the retractions up to `seqBound` applied.
struct SnapshotInfo: Sendable {
  var id: Int64
  var seqBound: Int64
  var cutMicros: Int64
  var weights: String
}

/// A store that keeps fold snapshots (only the SQLite store does).
protocol SnapshotStore {
  func snapshots() throws(MeetlogError) -> [SnapshotInfo]
  func isUsable(_ snapshot: SnapshotInfo, bound: Int64, asOfMicros: Int64?) throws(MeetlogError) -> Bool
  func loadFold(
    _ snapshot: SnapshotInfo, weights: ScoreWeights, pointDay: Int, withItems: Bool, withTopics: Bool
  ) throws(MeetlogError) -> StateFold?
  func touchesItems(after snapshot: SnapshotInfo, bound: Int64, asOfMicros: Int64?) throws(MeetlogError) -> Bool
  func addsOrTouchesItems(after snapshot: SnapshotInfo, bound: Int64, asOfMicros: Int64?) throws(MeetlogError) -> Bool
  func storedOpenItems(_ snapshot: SnapshotInfo) throws(MeetlogError) -> [UInt8]?
  func storedOpenTable(_ snapshot: SnapshotInfo) throws(MeetlogError) -> OpenTablePart.Table?
  func checkpointFold(
    _ snapshot: SnapshotInfo, bound: Int64, asOfMicros: Int64, weights: ScoreWeights, pointDay: Int, withItems: Bool,
    withTopics: Bool
  ) throws(MeetlogError) -> (fold: StateFold, cut: Int64, items: RewoundItems)?
  func readDetails(into fold: inout StateFold, closedItems: Bool) throws(MeetlogError)
}

extension SQLiteEventStore: SnapshotStore {
  static let snapshotsTable = """
    CREATE TABLE IF NOT EXISTS snapshots(
      id INTEGER PRIMARY KEY,
      seq_bound INTEGER NOT NULL,
      cut_us INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      weights TEXT NOT NULL,
      relations BLOB NOT NULL,
      items BLOB NOT NULL,
      open_items BLOB
    ) STRICT
    """

  /// The snapshots, newest bound first; none when the store has no snapshots table yet.
  func snapshots() throws(MeetlogError) -> [SnapshotInfo] {
    try translate { () throws(SQLiteError) in
      guard try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'snapshots'") > 0 else { return [] }
      let statement = try connection.prepare("SELECT id, seq_bound, cut_us, weights FROM snapshots ORDER BY seq_bound DESC, cut_us DESC")
      var list: [SnapshotInfo] = []
      while try statement.step() {
        list.append(
          SnapshotInfo(id: statement.int64(0), seqBound: statement.int64(1), cutMicros: statement.int64(2), weights: statement.text(3)))
      }
      return list
    }
  }

  /// Whether resuming from `snapshot` gives exactly the fold of the events within
  /// `bound` and `asOfMicros`: the snapshot is within both, and nothing appended after it
  /// (up to `bound`) changed what it folded — no event that occurred at or before its cut
  /// (a backfill), and no retraction of an event it folded.
  func isUsable(_ snapshot: SnapshotInfo, bound: Int64, asOfMicros: Int64?) throws(MeetlogError) -> Bool {
    guard snapshot.seqBound <= bound, snapshot.cutMicros <= (asOfMicros ?? Int64.max) else { return false }
    if snapshot.seqBound == bound { return true }
    return try translate { () throws(SQLiteError) in
      let backfill = try connection.prepare(
        "SELECT count(*) FROM events WHERE seq > ? AND seq <= ? AND occurred_us <= ? AND type != \(StoreSchema.typeCode(.eventRetracted))")
      try backfill.bind(1, snapshot.seqBound)
      try backfill.bind(2, bound)
      try backfill.bind(3, snapshot.cutMicros)
      _ = try backfill.step()
      if backfill.int64(0) > 0 { return false }
      let retraction = try connection.prepare(
        """
        SELECT count(*) FROM retractions r JOIN events e ON e.seq = r.target_seq
        WHERE r.seq > ? AND r.seq <= ? AND r.target_seq <= ? AND e.occurred_us <= ?
        """)
      try retraction.bind(1, snapshot.seqBound)
      try retraction.bind(2, bound)
      try retraction.bind(3, snapshot.seqBound)
      try retraction.bind(4, snapshot.cutMicros)
      _ = try retraction.step()
      return retraction.int64(0) == 0
    }
  }

  /// The fold of a snapshot; `withItems` also reads its items (to print them, or to
  /// fold updates and resolutions of them), with the open items' texts when the
  /// snapshot holds them, and keeps the texts of later items.
  func loadFold(
    _ snapshot: SnapshotInfo, weights: ScoreWeights, pointDay: Int, withItems: Bool, withTopics: Bool = true
  ) throws(MeetlogError) -> StateFold? {
    guard let relations = try storedPart(snapshot, "relations") else { return nil }
    var parts: (items: [UInt8], openItems: [UInt8]?)?
    if withItems {
      parts = try storedItemParts(snapshot)
      if parts == nil { return nil }
    }
    return FoldSnapshot.decode(
      relations: relations, items: parts?.items, openItems: parts?.openItems, weights: weights, pointDay: pointDay,
      keepDetails: withItems, countTopics: withTopics)
  }

  /// A snapshot's `items` and `open_items` parts, decompressed at once on two threads
  /// (17.5 and 40 MB on a million-event log); `open_items` nil when the snapshot has
  /// none (written by an earlier meetlog). Nil when a part is damaged.
  func storedItemParts(_ snapshot: SnapshotInfo) throws(MeetlogError) -> (items: [UInt8], openItems: [UInt8]?)? {
    guard try hasOpenItems() else { return try storedPart(snapshot, "items").map { ($0, nil) } }
    return try translate { () throws(SQLiteError) -> (items: [UInt8], openItems: [UInt8]?)? in
      let statement = try connection.prepare("SELECT items, open_items FROM snapshots WHERE id = ?")
      try statement.bind(1, snapshot.id)
      guard try statement.step() else { return nil }
      let limit = Int(Int32.max)
      guard !statement.isNull(1) else {
        return statement.withBlob(0) { raw in (try? ZstdDecompressor().decompressFrames(raw, limit: limit)).map { ($0, nil) } }
      }
      return statement.withBlob(0) { items in
        statement.withBlob(1) { open in
          nonisolated(unsafe) let open = open
          let (a, b) = concurrently(
            { try? ZstdDecompressor().decompressFrames(items, limit: limit) },
            { try? ZstdDecompressor().decompressFrames(open, limit: limit) })
          guard let a, let b else { return nil }
          return (a, b)
        }
      }
    }
  }

  /// A snapshot's `open_items` part, its frames decompressed and checked
  /// (`OpenItemsPart.checkSegment`) on two threads; nil when it has none or it is damaged.
  func storedOpenItems(_ snapshot: SnapshotInfo) throws(MeetlogError) -> [UInt8]? {
    guard try hasOpenItems() else { return nil }
    return try translate { () throws(SQLiteError) -> [UInt8]? in
      guard try !storedIsNull(snapshot, "open_items") else { return nil }
      // Read straight into a buffer of ours (the part is 13 MB on a million-event log).
      let blob = try SQLiteBlob(connection: connection, table: "snapshots", column: "open_items", rowid: snapshot.id)
      let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, blob.count), alignment: 16)
      defer { buffer.deallocate() }
      let stored = UnsafeMutableRawBufferPointer(rebasing: buffer[..<blob.count])
      try blob.read(into: stored, at: 0)
      return try? ZstdDecompressor.decompressFramesOnTwoThreads(
        UnsafeRawBufferPointer(stored), limit: Int(Int32.max), check: OpenItemsPart.checkSegment)
    }
  }

  /// Whether the snapshots table has the `open_items` column (an earlier meetlog made
  /// it without; `writeSnapshot` adds it).
  func hasOpenItems() throws(MeetlogError) -> Bool {
    try translate { () throws(SQLiteError) in try hasOpenItemsColumn() }
  }

  private func hasOpenItemsColumn() throws(SQLiteError) -> Bool {
    try connection.scalar("SELECT count(*) FROM pragma_table_info('snapshots') WHERE name = 'open_items'") > 0
  }

  /// Whether an event after the snapshot's cut (within the bound and `asOfMicros`)
  /// pledges, updates or resolves an item: with none, `state` prints the snapshot's
  /// open items as they are (`storedOpenItems`), without its `items` part.
  func addsOrTouchesItems(after snapshot: SnapshotInfo, bound: Int64, asOfMicros: Int64?) throws(MeetlogError) -> Bool {
    try countAfter(
      snapshot, bound: bound, asOfMicros: asOfMicros, types: [.agreementPledged, .itemUpdated, .itemResolved]) > 0
  }

  /// Whether an event after the snapshot's cut (within the bound and `asOfMicros`)
  /// updates or resolves an item: folding it needs the snapshot's items.
  func touchesItems(after snapshot: SnapshotInfo, bound: Int64, asOfMicros: Int64?) throws(MeetlogError) -> Bool {
    try countAfter(snapshot, bound: bound, asOfMicros: asOfMicros, types: [.itemUpdated, .itemResolved]) > 0
  }

  /// How many events of `types` with seq ≤ `bound` occurred after the snapshot's cut and
  /// at or before `asOfMicros`.
  private func countAfter(_ snapshot: SnapshotInfo, bound: Int64, asOfMicros: Int64?, types: [EventType]) throws(MeetlogError)
    -> Int64
  {
    try translate { () throws(SQLiteError) in
      let codes = types.map { String(StoreSchema.typeCode($0)) }.joined(separator: ", ")
      let statement = try connection.prepare(
        "SELECT count(*) FROM events WHERE seq <= ? AND occurred_us > ? AND occurred_us <= ? AND type IN (\(codes))")
      try statement.bind(1, bound)
      try statement.bind(2, snapshot.cutMicros)
      try statement.bind(3, asOfMicros ?? Int64.max)
      _ = try statement.step()
      return statement.int64(0)
    }
  }

  /// Whether a part of a snapshot is NULL. By its type: `IS NULL` read the whole value
  /// (13 MB for `open_items` on a million-event log, 11 to 16 ms).
  func storedIsNull(_ snapshot: SnapshotInfo, _ column: String) throws(SQLiteError) -> Bool {
    try connection.scalar("SELECT typeof(\(column)) = 'null' FROM snapshots WHERE id = \(snapshot.id)") != 0
  }

  /// A part of a snapshot as stored (compressed).
  func storedBlob(_ snapshot: SnapshotInfo, _ column: String) throws(MeetlogError) -> [UInt8]? {
    try translate { () throws(SQLiteError) -> [UInt8]? in
      let statement = try connection.prepare("SELECT \(column) FROM snapshots WHERE id = ?")
      try statement.bind(1, snapshot.id)
      return try statement.step() ? statement.blob(0) : nil
    }
  }

  /// One part of a snapshot (`relations` or `items`), decompressed (all its frames); nil
  /// when damaged.
  func storedPart(_ snapshot: SnapshotInfo, _ column: String) throws(MeetlogError) -> [UInt8]? {
    try translate { () throws(SQLiteError) -> [UInt8]? in
      let statement = try connection.prepare("SELECT \(column) FROM snapshots WHERE id = ?")
      try statement.bind(1, snapshot.id)
      guard try statement.step(), let decompressor = try? ZstdDecompressor() else { return nil }
      let limit = Int(Int32.max)
      return try? statement.withBlob(0) { (raw) throws(ZstdError) in try decompressor.decompressFrames(raw, limit: limit) }
    }
  }

  /// The first `count` bytes of a part of a snapshot once decompressed (fewer when it
  /// is shorter); nil when damaged.
  func storedPrefix(_ snapshot: SnapshotInfo, _ column: String, count: Int) throws(MeetlogError) -> [UInt8]? {
    try translate { () throws(SQLiteError) -> [UInt8]? in
      let statement = try connection.prepare("SELECT \(column) FROM snapshots WHERE id = ?")
      try statement.bind(1, snapshot.id)
      guard try statement.step(), let decompressor = try? ZstdDecompressor() else { return nil }
      return try? statement.withBlob(0) { (raw) throws(ZstdError) in try decompressor.decompressPrefix(raw, count: count) }
    }
  }

  /// Reads the texts of the items a fold loaded from a snapshot back from their pledges
  /// (`closedItems` false: of the open ones only). A long list is read in two halves at
  /// once, the second through a connection of its own: a million-event log has 155,000
  /// open items, read back at about 8 µs each.
  func readDetails(into fold: inout StateFold, closedItems: Bool) throws(MeetlogError) {
    try readDetails(into: &fold, closedItems: closedItems, splitAt: 4_000)
  }

  /// `readDetails`, in two halves from `splitAt` items on.
  func readDetails(into fold: inout StateFold, closedItems: Bool, splitAt: Int) throws(MeetlogError) {
    let slots = fold.items.slotsWithoutDetails.filter { closedItems || fold.items.outcome[Int($0)] == 0 }
    guard !slots.isEmpty else { return }
    let seqs = slots.map { fold.items.pledgeSeq[Int($0)] }
    let half = slots.count >= max(2, splitAt) && path != ":memory:" ? slots.count / 2 : slots.count
    let (path, rest) = (self.path, Array(seqs[half...]))
    let (first, second) = concurrently(
      { Result { () throws(MeetlogError) in try self.pledgeDetails(seqs[..<half]) } },
      {
        Result { () throws(MeetlogError) in
          guard !rest.isEmpty else { return PledgeDetails() }
          // One read transaction, as the first half's: not one per pledge.
          let store = try SQLiteEventStore(path: path, mode: .read)
          return try store.readSnapshot { () throws(MeetlogError) in try store.pledgeDetails(rest[...]) }
        }
      })
    for (part, range) in [(first, 0..<half), (second, half..<slots.count)] {
      let details = try part.get()
      fold.items.adoptDetails(details.arena, starts: details.starts, slots: slots[range])
    }
  }

  /// Item details read back from pledges: one arena, and where each pledge's start.
  struct PledgeDetails: Sendable {
    var arena: [UInt8] = []
    var starts: [Int32] = []
  }

  /// The details of the pledges with these seqs, in order.
  private func pledgeDetails(_ seqs: ArraySlice<Int64>) throws(MeetlogError) -> PledgeDetails {
    var details = PledgeDetails()
    details.starts.reserveCapacity(seqs.count)
    // The pledges' topics are interned in tables of their own: details hold none.
    var topics = StringTable()
    var cities = StringTable()
    let statement = try translate { () throws(SQLiteError) in try connection.prepare("SELECT dict_id, payload FROM events WHERE seq = ?") }
    var buffer: [UInt8] = []
    for seq in seqs {
      guard let count = try canonicalBytes(seq: seq, lookup: statement, into: &buffer) else {
        throw MeetlogError(.io, "\(path): seq \(seq): the pledge a snapshot names is missing (run meetlog verify)")
      }
      var event = buffer.withUnsafeBufferPointer { all in
        FoldDecoder.decode(UnsafeBufferPointer(rebasing: all[0..<count]), seq: seq, topics: &topics, cities: &cities)
      }
      if event == nil {
        do throws(StoredEventError) {
          let decoded = try PayloadCodec.decode(canonical: Array(buffer[0..<count]))
          event = FoldEvent(decoded, seq: seq, topics: &topics, cities: &cities)
        } catch {
          throw MeetlogError(.io, "\(path): seq \(seq): \(error.message) (run meetlog verify)")
        }
      }
      guard case .pledge(let pledge) = event?.body else {
        throw MeetlogError(.io, "\(path): seq \(seq): a snapshot names it as a pledge, and it is not (run meetlog verify)")
      }
      details.starts.append(Int32(details.arena.count))
      ItemStore.writeDetails(pledge, into: &details.arena)
    }
    return details
  }

  /// How many events a log grows by before an append writes a new snapshot:
  /// `MEETLOG_SNAPSHOT_EVERY`, default 100,000; 0 turns snapshots off.
  public static let snapshotInterval: Int64 = {
    if let text = FileIO.environment("MEETLOG_SNAPSHOT_EVERY"), let n = Int64(text), n >= 0 { return n }
    return 100_000
  }()

  /// After an append: writes a new snapshot when the log has grown by
  /// `snapshotEvery` events since the newest one. A snapshot is a cache: failing to
  /// write one (a busy or read-only store, a full disk) changes nothing the append did,
  /// so it is not an error. Returns whether one was written.
  @discardableResult
  public func maintainSnapshot(now: Int64) -> Bool {
    // The last append's events, kept for this snapshot, are not needed after it.
    defer {
      appendedFold = nil
      preparedSnapshot = nil
    }
    guard snapshotEvery > 0 else { return false }
    do {
      let headSeq = try head().seq
      let newest = try snapshots().first?.seqBound ?? 0
      guard headSeq - newest >= snapshotEvery else { return false }
      try writeSnapshot(now: now, checkpointEvery: checkpointEvery)
      return true
    } catch {
      return false
    }
  }

  /// Folds the log up to its head and stores the fold as the store's snapshot, replacing
  /// older ones; resumes from the newest usable snapshot when there is one. The cut is
  /// the last occurrence in the log, or `now` if the log holds events dated later.
  /// Does nothing when the fold has updates waiting for their pledge at the cut (rare).
  /// A snapshot the last append prepared for the same head, cut, `now`, weights and
  /// checkpoint spacing is stored as it is (`PreparedSnapshot`).
  ///
  /// With it go checkpoints every `checkpointEvery` events of fold order (none for 0):
  /// a snapshot resumed from carries on the older one's checkpoints, or, when that one has
  /// none to carry on, the log is folded from its start.
  func writeSnapshot(
    now: Int64, weights: ScoreWeights = ScoreWeights(), checkpointEvery: Int = SQLiteEventStore.checkpointInterval
  ) throws(MeetlogError) {
    let prepared: PreparedSnapshot? = try readSnapshot { () throws(MeetlogError) in
      defer {
        appendedFold = nil
        preparedSnapshot = nil
      }
      let bound = try head().seq
      let lastOccurrence = try translate { () throws(SQLiteError) in
        try connection.scalar("SELECT coalesce(max(occurred_us), 0) FROM events WHERE seq <= \(bound)")
      }
      let key = PreparedSnapshot.Key(
        bound: bound, lastOccurrence: lastOccurrence, now: now, weights: weights, checkpointEvery: checkpointEvery)
      let existing = try snapshots()
      if let early = preparedSnapshot, early.key == key, existing.isEmpty { return early }
      if let appended = appendedFold, appended.lastSeq == bound, !appended.folded, existing.isEmpty {
        return PreparedSnapshot.folding(appended, key: key, weights: weights)
      }
      let cut = key.cut
      var fold = StateFold(weights: weights, pointDay: key.pointDay)
      var after: Int64?
      for snapshot in existing where snapshot.weights == key.fingerprint && snapshot.cutMicros <= cut {
        if try isUsable(snapshot, bound: bound, asOfMicros: cut),
          var loaded = try loadFold(snapshot, weights: weights, pointDay: key.pointDay, withItems: true)
        {
          if checkpointEvery > 0 {
            guard let carried = try carriedRecorder(snapshot, loaded: loaded, every: checkpointEvery) else { break }
            loaded.recorder = carried
          }
          fold = loaded
          after = snapshot.cutMicros
          break
        }
      }
      if after == nil && checkpointEvery > 0 { fold.recorder = CheckpointRecorder(spacing: .every(checkpointEvery)) }
      try StateQuery.foldEvents(self, into: &fold, bound: bound, after: after, upTo: cut)
      fold.recorder?.finish(cut: cut, relations: fold.relations, waiting: !fold.waiting.isEmpty)
      // The snapshot keeps every open item's texts: those the older one did not hold
      // (none, when it held them) are read back from their pledges.
      if after != nil { try readDetails(into: &fold, closedItems: false) }
      return PreparedSnapshot(fold, key: key)
    }
    guard let prepared else { return }
    try translate { () throws(SQLiteError) in
      try Self.retryingWhileBusy { () throws(SQLiteError) in try connection.execute("BEGIN IMMEDIATE") }
      do throws(SQLiteError) {
        try connection.execute(Self.snapshotsTable)
        if try !hasOpenItemsColumn() { try connection.execute("ALTER TABLE snapshots ADD COLUMN open_items BLOB") }
        try connection.execute("DELETE FROM snapshots")
        let insert = try connection.prepare(
          "INSERT INTO snapshots(seq_bound, cut_us, created_at, weights, relations, items, open_items) VALUES (?, ?, ?, ?, ?, ?, ?)")
        try insert.bind(1, prepared.key.bound)
        try insert.bind(2, prepared.key.cut)
        try insert.bind(3, Timestamp.formatUTC(now))
        try insert.bind(4, prepared.key.fingerprint)
        try insert.bind(5, prepared.relations)
        try insert.bind(6, prepared.items)
        if let openItems = prepared.openItems { try insert.bind(7, openItems) } else { try insert.bindNull(7) }
        try insert.run()
        let id = try connection.scalar("SELECT last_insert_rowid()")
        try storeCheckpoints(prepared.checkpoints, snapshotId: id)
        try storeOpenTable(prepared.openTable, snapshotId: id)
        try connection.execute("COMMIT")
      } catch {
        try? connection.execute("ROLLBACK")
        throw error
      }
    }
  }
}
