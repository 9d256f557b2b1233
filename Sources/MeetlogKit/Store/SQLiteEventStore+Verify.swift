extension SQLiteEventStore {
  /// Checks every row: seq gapless, payload decompresses and decodes, canonical form,
  /// columns agree with the payload, the hash chain, `recorded_at` order, every
  /// reference rule, and the index tables against a rebuild. Faults name their seq.
  public func verify(expectHead: [UInt8]?) throws(MeetlogError) -> VerifyReport {
    try readSnapshot { () throws(MeetlogError) in
      var report = try verifySnapshot(expectHead: expectHead)
      // The empty log's head is the chain's start.
      if expectHead == HashChain.genesis && report.eventsChecked == 0 { report.expectedHeadSeq = 0 }
      if let expectHead, report.expectedHeadSeq == nil {
        report.faults.append(
          VerifyFault(
            seq: report.eventsChecked + 1,
            message: "the expected head hash \(HashChain.hex(expectHead)) is in no event of this log: the log was truncated or rewritten"))
      }
      return report
    }
  }

  private func verifySnapshot(expectHead: [UInt8]?) throws(MeetlogError) -> VerifyReport {
    var faults: [VerifyFault] = []
    var checked: Int64 = 0
    var expectedSeq: Int64 = 1
    // The head as the log says: the progress total, and the index's size (at most 4M
    // events: a damaged head may claim any seq).
    let headSeq = max((try? head().seq) ?? 0, 0)
    let index = MemoryReferenceIndex(expected: Int(min(headSeq, 1 << 22)))
    var expectedIds: [KeyedSeq] = []
    var expectedNames: [KeyedSeq] = []
    let statement: SQLiteStatement
    let commits: CommitCursor
    do {
      statement = try connection.prepare("SELECT seq, type, occurred_us, dict_id, payload, hash FROM events ORDER BY seq")
      commits = try CommitCursor(connection)
    } catch {
      let fault = VerifyFault(seq: 1, message: "the database file is damaged, no event can be read: \(error.message)")
      return VerifyReport(eventsChecked: 0, faults: [fault], headHash: HashChain.genesis, expectedHeadSeq: nil)
    }
    func fault(_ seq: Int64, _ message: String) { faults.append(VerifyFault(seq: seq, message: message)) }
    let total = progress == nil ? 0 : Int(headSeq)
    /// The run of rows the chain could not check (one fault for the run).
    var unchecked: ClosedRange<Int64>?
    func endUnchecked() {
      guard let run = unchecked else { return }
      let (seqs, they) =
        run.count == 1
        ? ("this event", "it stores only a prefix of its")
        : ("seq \(run.lowerBound)…\(run.upperBound)", "they store only a prefix of their")
      fault(run.lowerBound, "hash: \(seqs) could not be checked: the chain broke at seq \(run.lowerBound - 1), and \(they) link")
      unchecked = nil
    }
    /// One row's checks that need the log before it.
    func check(_ row: borrowing VerifyRowChecker.Row) {
      checked += 1
      if checked & 4095 == 0 { progress?.progress(done: Int(checked), total: total) }
      let seq = row.seq
      if seq != expectedSeq {
        fault(expectedSeq, seq > expectedSeq ? "missing: seq \(expectedSeq)…\(seq - 1) are not in the log" : "seq out of order")
      }
      expectedSeq = seq + 1
      if !row.faults.isEmpty { faults += row.faults }
      if row.unchecked {
        unchecked = (unchecked?.lowerBound ?? seq)...seq
      } else if unchecked != nil {
        endUnchecked()
      }
      guard let event = row.facts else { return }
      let idKey = StoreKey.id(event.id)
      if index.event(id: event.id, key: idKey) != nil { fault(seq, "id \"\(event.id)\" is used twice") }
      expectedIds.append(KeyedSeq(key: idKey, seq: seq))
      if let (kind, name) = event.defines { expectedNames.append(KeyedSeq(key: StoreKey.name(kind, name), seq: seq)) }
      do {
        let effects = try ReferenceRules.check(event, index: index)
        index.add(event, seq: seq, idKey: idKey)
        index.record(seq: seq, effects: effects)
      } catch {
        index.add(event, seq: seq, idKey: idKey)
        fault(seq, "breaks a reference rule: \(error.description)")
      }
    }
    // The snapshot is rebuilt at the same time, through a connection of its own (its read
    // transaction starts a moment later: a commit in between gives it a later snapshot of
    // a longer log, as consistent as this one); its faults count only if the log has none.
    let shared = SharedPayloads(byteLimit: verifyLendingLimit)
    let snapshotCheck = SnapshotCheck(path: path, shared: shared)
    // Other threads read and check each row; this one checks what needs the log.
    let reader = VerifyReader(statement: statement, commits: commits, codec: codec, shared: shared, expectHead: expectHead)
    let pipeline = VerifyPipeline(reader: reader)
    while let batch = pipeline.next() {
      guard case .rows(let rows) = batch else {
        if case .damaged(let message) = batch { fault(expectedSeq, message) }
        continue
      }
      rows.withUnsafeBufferPointer { rows in
        for k in rows.indices { check(rows[k]) }
      }
    }
    pipeline.join()
    endUnchecked()
    if checked > 0 && reader.lastStoredHash.count != 32 { fault(expectedSeq - 1, VerifyRowChecker.partOfLastLink) }
    try checkCommits(lastSeq: expectedSeq - 1, faults: &faults)
    if faults.isEmpty {
      try compareIndexTables(with: index, ids: expectedIds, names: expectedNames, faults: &faults)
    }
    if faults.isEmpty {
      if let found = snapshotCheck.faults() { faults += try found.get() } else { try checkSnapshots(faults: &faults, shared: shared) }
    }
    let head = (try? head()) ?? StoreHead(seq: 0, hash: reader.lastStoredHash, recordedMicros: 0)
    return VerifyReport(
      eventsChecked: checked, faults: faults.sorted { $0.seq < $1.seq }, headHash: head.hash, expectedHeadSeq: reader.expectedHeadSeq)
  }

  /// Rebuilds the snapshot on a thread of its own while the log is checked: the rebuild
  /// took about 0.6 s of a 2.5 s 100,000-event `verify` when it came after.
  private final class SnapshotCheck: @unchecked Sendable {
    private var thread: BackgroundThread?
    private var result: Result<[VerifyFault], MeetlogError>?

    /// Starts the check, unless the store is in memory (no second connection can see it).
    init(path: String, shared: SharedPayloads) {
      guard path != ":memory:" else { return }
      thread = BackgroundThread { [self] in
        result = Result { () throws(MeetlogError) -> [VerifyFault] in
          // Whatever happens, the reader must stop keeping payloads for it.
          defer { shared.willTake([]) }
          let store = try SQLiteEventStore(path: path, mode: .read)
          return try store.readSnapshot { () throws(MeetlogError) -> [VerifyFault] in
            var faults: [VerifyFault] = []
            try store.checkSnapshots(faults: &faults, shared: shared)
            return faults
          }
        }
      }
    }

    /// The check's faults, once it is done; nil when it did not run.
    func faults() -> Result<[VerifyFault], MeetlogError>? {
      thread?.join()
      return result
    }

    deinit { thread?.join() }
  }

  /// Every snapshot must be what folding the log to its bound and cut gives now: a
  /// changed or damaged snapshot would change states silently.
  private func checkSnapshots(faults: inout [VerifyFault], shared: SharedPayloads? = nil) throws(MeetlogError) {
    // The first snapshot folds the payloads the log's pass lends; any other reads its own.
    var lender = shared
    defer { lender?.willTake([]) }
    for snapshot in try snapshots() {
      let problem = "snapshot \(snapshot.id) (events up to seq \(snapshot.seqBound), cut \(Timestamp.formatUTC(snapshot.cutMicros)))"
      let repair =
        "remove it with: sqlite3 STORE 'DELETE FROM snapshots; DELETE FROM checkpoints; DROP TABLE IF EXISTS open_tables' (the next append of enough events writes a new one)"
      guard let weights = FoldSnapshot.weights(fingerprint: snapshot.weights) else {
        faults.append(VerifyFault(seq: snapshot.seqBound, message: "\(problem) names weights this version cannot read; \(repair)"))
        continue
      }
      let stored = (try storedPart(snapshot, "relations"), try storedPart(snapshot, "items"))
      // A snapshot without the open items' part (an earlier meetlog's) is still usable.
      var openItemsStored = try hasOpenItems()
      if openItemsStored { openItemsStored = try translate { () throws(SQLiteError) in try !storedIsNull(snapshot, "open_items") } }
      var fold = StateFold(weights: weights, pointDay: Int(floorDiv(snapshot.cutMicros, Timestamp.microsPerDay)))
      // Its checkpoints: the fold records rows at the same instants, which must be the same.
      let cuts = try checkpointCuts(snapshot)
      if !cuts.isEmpty { fold.recorder = CheckpointRecorder(spacing: .at(cuts)) }
      if let lent = lender {
        lender = nil
        try foldLent(lent, into: &fold, bound: snapshot.seqBound, cut: snapshot.cutMicros)
      } else {
        try StateQuery.foldEvents(self, into: &fold, bound: snapshot.seqBound, after: nil, upTo: snapshot.cutMicros)
      }
      fold.recorder?.finish(cut: snapshot.cutMicros, relations: fold.relations, waiting: !fold.waiting.isEmpty)
      let rebuilt = FoldSnapshot.encode(fold)
      let storedRows = cuts.isEmpty ? [] : try checkpointRows(snapshot)
      // An items part in another version's layout is not read by this one (state folds
      // the log instead of resuming from it), so it cannot change a result.
      let itemsOfAnotherVersion = stored.1.map { $0.starts(with: ItemsPart.family) && !$0.starts(with: ItemsPart.magic) } ?? false
      var openItemsDiffer = false
      if openItemsStored, let stored = try storedPart(snapshot, "open_items") {
        // Another version's layout is not read (`state` reads the texts from the pledges).
        let otherVersion = stored.starts(with: OpenItemsPart.family) && !stored.starts(with: OpenItemsPart.magic)
        openItemsDiffer = !otherVersion && !(rebuilt.openItems.map { stored.sameBytes(asJoined: $0) } ?? false)
      } else if openItemsStored {
        openItemsDiffer = true
      }
      if try openTableDiffers(snapshot, rebuilt: rebuilt.openTable) { openItemsDiffer = true }
      let relationsDiffer = !(stored.0?.sameBytes(as: rebuilt.relations) ?? false)
      let itemsDiffer = !itemsOfAnotherVersion && !(stored.1?.sameBytes(asJoined: rebuilt.items) ?? false)
      if relationsDiffer || itemsDiffer || openItemsDiffer {
        faults.append(VerifyFault(seq: snapshot.seqBound, message: "\(problem) does not match the log; \(repair)"))
      } else if let recorder = fold.recorder, !recorder.valid || storedRows != recorder.rows {
        faults.append(VerifyFault(seq: snapshot.seqBound, message: "\(problem): its checkpoints do not match the log; \(repair)"))
      }
    }
  }

  /// Whether the snapshot's stored open-items table (`OpenTablePart`) is damaged or is
  /// not `rebuilt`'s. None stored is no fault (`state` prints from the records then), nor
  /// is one in another version's layout (not read by this one).
  private func openTableDiffers(_ snapshot: SnapshotInfo, rebuilt: OpenTablePart.Encoded?) throws(MeetlogError) -> Bool {
    guard let value = try storedOpenTableValue(snapshot) else { return false }
    if value.starts(with: OpenTablePart.family) && !value.starts(with: OpenTablePart.magic) { return false }
    guard let decoded = OpenTablePart.table(value)?.decoded() else { return true }
    return decoded != rebuilt
  }

  /// Folds what `StateQuery.foldEvents` folds for a snapshot (seq ≤ `bound`, occurred at
  /// or before `cut`, not retracted within the bound, in (`occurred_at`, seq) order),
  /// taking each payload from `shared` and reading only those it was not lent. On one
  /// thread: the lent payloads need no reading thread.
  private func foldLent(_ shared: SharedPayloads, into fold: inout StateFold, bound: Int64, cut: Int64) throws(MeetlogError) {
    let retracted = try retractedSeqs(maxSeq: bound)
    let order = try translate { () throws(SQLiteError) -> [Int64] in
      let statement = try connection.prepare("SELECT seq FROM events WHERE seq <= ? AND occurred_us <= ? ORDER BY occurred_us, seq")
      try statement.bind(1, bound)
      try statement.bind(2, cut)
      var seqs: [Int64] = []
      while try statement.step() {
        let seq = statement.int64(0)
        if !retracted.contains(seq) { seqs.append(seq) }
      }
      return seqs
    }
    shared.willTake(order)
    let read = try translate { () throws(SQLiteError) in try connection.prepare("SELECT dict_id, payload FROM events WHERE seq = ?") }
    var buffer: [UInt8] = []
    for seq in order {
      var event: FoldEvent?
      let lent = try shared.take(seq) { (bytes) throws(MeetlogError) in
        event = try FoldReader.decode(bytes, seq: seq, topics: &fold.topics, cities: &fold.cities)
      }
      if !lent {
        guard let count = try canonicalBytes(seq: seq, lookup: read, into: &buffer) else {
          throw MeetlogError(.io, "\(path): seq \(seq) is in the index but not in the log (run meetlog verify)")
        }
        event = try buffer.withUnsafeBufferPointer { (all) throws(MeetlogError) in
          try FoldReader.decode(UnsafeBufferPointer(rebasing: all[..<count]), seq: seq, topics: &fold.topics, cities: &fold.cities)
        }
      }
      if let event { fold.applyRecording(event) }
    }
  }

  /// The `commits` table: the first starts at seq 1, none starts past the last event,
  /// each stored text is the time of its microseconds, and time never goes back.
  private func checkCommits(lastSeq: Int64, faults: inout [VerifyFault]) throws(MeetlogError) {
    try translate { () throws(SQLiteError) in
      let statement = try connection.prepare("SELECT first_seq, recorded_us, recorded_at FROM commits ORDER BY first_seq")
      var previous = Int64.min
      var first = true
      while try statement.step() {
        let seq = statement.int64(0)
        let micros = statement.int64(1)
        if first && seq != 1 { faults.append(VerifyFault(seq: 1, message: "no recorded time: the first commit starts at seq \(seq)")) }
        first = false
        if seq > lastSeq { faults.append(VerifyFault(seq: seq, message: "a commit starts after the last event")) }
        if !statement.isNull(2) {
          let text = statement.text(2)
          if case .success(let t) = Timestamp.parse(text), !t.isDate, t.micros == micros {
          } else {
            faults.append(VerifyFault(seq: seq, message: "recorded_at \"\(text)\" does not match recorded_us \(micros)"))
          }
        }
        if micros < previous { faults.append(VerifyFault(seq: seq, message: "recorded_at goes back in time")) }
        previous = micros
      }
      if first && lastSeq > 0 { faults.append(VerifyFault(seq: 1, message: "no recorded time: the commits table is empty")) }
    }
  }

  private func compareIndexTables(
    with index: MemoryReferenceIndex, ids: [KeyedSeq], names: [KeyedSeq], faults: inout [VerifyFault]
  ) throws(MeetlogError) {
    try translate { () throws(SQLiteError) in
      for (table, expected) in [("ids", ids), ("names", names)] {
        var stored: [KeyedSeq] = []
        let statement = try connection.prepare("SELECT key, seq FROM \(table) ORDER BY key, seq")
        while try statement.step() { stored.append(KeyedSeq(key: statement.int64(0), seq: statement.int64(1))) }
        if stored != expected.sorted() {
          faults.append(VerifyFault(seq: 0, message: "index table `\(table)` differs from the log"))
        }
      }
      var retractions: [Int64: Int64] = [:]
      let r = try connection.prepare("SELECT target_seq, seq FROM retractions")
      while try r.step() { retractions[r.int64(0)] = r.int64(1) }
      if retractions != index.retractions {
        faults.append(VerifyFault(seq: 0, message: "index table `retractions` differs from the log"))
      }
      var resolutions: [Int64: Int64] = [:]
      let s = try connection.prepare("SELECT item_seq, seq FROM resolutions")
      while try s.step() { resolutions[s.int64(0)] = s.int64(1) }
      if resolutions != index.resolutions {
        faults.append(VerifyFault(seq: 0, message: "index table `resolutions` differs from the log"))
      }
    }
  }
}

/// A row of the `ids` or `names` table.
struct KeyedSeq: Equatable, Comparable {
  var key: Int64
  var seq: Int64

  static func < (a: KeyedSeq, b: KeyedSeq) -> Bool { a.key != b.key ? a.key < b.key : a.seq < b.seq }
}
