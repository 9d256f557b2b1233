/// The inside of one append transaction: the running head of the chain, the checks
/// each event must pass, and the rows waiting to be written.
///
/// The reference rules ask it what the log holds (`ReferenceIndex`). Events of this
/// batch are answered from memory; older ones from a `CommittedIndex`, each 64-bit key
/// confirmed against the stored event it points to. Nothing the batch adds is read back
/// from the store (but an event whose id comes again after it was written, which waits
/// for the writer), so a large batch's rows can be written on a second thread
/// (`RowWriter`) while this one checks the next run.
final class BatchWriter: ReferenceIndex {
  unowned let store: SQLiteEventStore
  private(set) var head: StoreHead
  /// The last seq before this batch: lookups above it are answered from memory.
  private let startSeq: Int64
  /// The newest dictionary (0: none yet) and the log size it was trained at.
  private let dictId: Int64
  private let dictLogSize: Int64?
  /// Rows checked and chained but not yet handed to the writer: compressing a run of
  /// events together keeps zstd's tables in the cache.
  private var staged: [StagedRow] = []
  private static let stagedLimit = 4096
  /// A batch of more events than this is written on a second thread.
  private let threaded: Bool
  /// Runs handed to the writer and not yet known written, oldest first.
  private var writing: [[StagedRow]] = []
  private var writer: RowWriter?
  private var handedOffAny = false
  private let committed: CommittedIndex
  /// A large first append's events as the fold sees them (nil when a
  /// `SpeculativeSnapshot` folds them instead).
  private var collected: AppendedFold?
  /// The batch's events by the 64-bit key of their id (`StoreKey.id`, hashed once per
  /// event; a String-keyed dictionary took about a tenth of this thread's checking), and
  /// by id the rare one whose key another id of the batch already holds.
  private var batchIds: [Int64: IndexedEvent] = [:]
  private var batchIdsSharingAKey: [String: IndexedEvent] = [:]
  /// The last `recorded_at` formatted: a batch has one.
  private var recordedUTC: (micros: Int64, text: String)?
  private var batchMeetings: [String: IndexedEvent] = [:]
  private var batchItems: [String: IndexedEvent] = [:]
  /// What this batch retracted, and the resolutions it added or took away (nil).
  private var batchRetracted: Set<Int64> = []
  private var batchResolutions: [Int64: Int64?] = [:]
  /// The item each resolution of this batch resolves.
  private var batchResolvedItems: [Int64: Int64] = [:]
  /// Work for this thread while the writer writes the last rows (`flush`).
  var whileWriting: (() -> Void)?

  init(store: SQLiteEventStore, expected: Int) throws(MeetlogError) {
    self.store = store
    let c = store.connection
    (head, dictId, dictLogSize) = try store.translate { () throws(SQLiteError) in
      let head = try store.readHead()
      let newest = try c.cached("SELECT id, log_size FROM dictionaries ORDER BY id DESC LIMIT 1")
      defer { newest.reset() }
      return try newest.step() ? (head, newest.int64(0), newest.int64(1)) : (head, 0, nil)
    }
    guard head.hash.count == 32 else {
      throw MeetlogError(
        .io, "\(store.path): seq \(head.seq): the last event stores only part of its hash link: the store is damaged (run meetlog verify)")
    }
    startSeq = head.seq
    // A store in memory has no second connection to read what it held before.
    threaded = expected > Self.stagedLimit && (startSeq == 0 || store.path != ":memory:")
    committed = try CommittedIndex(store: store, separately: threaded && startSeq > 0)
    collected = threaded && startSeq == 0 ? AppendedFold() : nil
    batchIds.reserveCapacity(expected)
    // A tenth of the benchmark's events are meetings and a quarter pledges: growing the
    // tables rehashed every name several times.
    batchMeetings.reserveCapacity(expected / 8)
    batchItems.reserveCapacity(expected / 3)
  }

  /// Starts the writer, which trains a new dictionary first when the log, with this
  /// batch, has grown enough since the last one (`DictionaryPolicy`); the batch is then
  /// compressed with it. A large batch's dictionary is trained on the writer's thread
  /// while the first runs are checked (training took about 0.16 s of a 100,000-event append).
  func prepareDictionary(incoming: [PendingEvent], now: Int64) throws(MeetlogError) {
    let logSize = head.seq + Int64(incoming.count)
    var training: DictionaryTraining?
    if DictionaryPolicy.shouldTrain(logSize: logSize, lastLogSize: dictLogSize) {
      let samples = DictionaryPolicy.spread(incoming, count: DictionaryPolicy.maxSamples).map { CanonicalEncoding.bytes($0.input.event) }
      training = DictionaryTraining(samples: samples, logSize: logSize, createdAt: Timestamp.formatUTC(now), logHadEvents: head.seq > 0)
    }
    startWriter(training)
  }

  private func startWriter(_ training: DictionaryTraining?) {
    let (store, newest, threaded) = (self.store, dictId, self.threaded)
    writer = RowWriter(onThread: threaded) { () throws(MeetlogError) -> RowInserter in
      let dictId = try training.flatMap { (t) throws(MeetlogError) in try Self.train(t, store: store) } ?? newest
      return try RowInserter(store: store, dictId: dictId, forAnotherThread: threaded)
    }
  }

  /// What a new dictionary is trained on, and the row that records it.
  private struct DictionaryTraining {
    var samples: [[UInt8]]
    var logSize: Int64
    var createdAt: String
    /// The samples are topped up from the latest stored events.
    var logHadEvents: Bool
  }

  /// Trains a dictionary and stores it; its id, or nil when zstd could not train one.
  private static func train(_ training: DictionaryTraining, store: SQLiteEventStore) throws(MeetlogError) -> Int64? {
    var samples = training.samples
    if samples.count < DictionaryPolicy.maxSamples && training.logHadEvents {
      samples += try storedSamples(store, count: DictionaryPolicy.maxSamples - samples.count)
    }
    guard let dictionary = DictionaryPolicy.train(samples) else { return nil }
    return try store.translate { () throws(SQLiteError) -> Int64 in
      let insert = try store.connection.prepare(
        "INSERT INTO dictionaries(id, created_at, log_size, samples, bytes) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM dictionaries), ?, ?, ?, ?) RETURNING id"
      )
      try insert.bind(1, training.createdAt)
      try insert.bind(2, training.logSize)
      try insert.bind(3, Int64(samples.count))
      try insert.bind(4, dictionary)
      _ = try insert.step()
      return insert.int64(0)
    }
  }

  /// Canonical bytes of up to `count` of the latest stored events.
  private static func storedSamples(_ store: SQLiteEventStore, count: Int) throws(MeetlogError) -> [[UInt8]] {
    let statement = try store.translate { () throws(SQLiteError) in
      let s = try store.connection.prepare("SELECT dict_id, payload FROM events ORDER BY seq DESC LIMIT ?")
      try s.bind(1, Int64(count))
      return s
    }
    var samples: [[UInt8]] = []
    while try store.translate({ () throws(SQLiteError) in try statement.step() }) {
      if let canonical = try? statement.withBlob(
        1,
        { (raw) throws(StoredEventError) in
          try store.codec.canonicalBytes(dictId: statement.int64(0), payload: raw)
        })
      {
        samples.append(canonical)
      }
    }
    return samples
  }

  /// The seq and canonical bytes of the event already stored under `id`, if any.
  func existingCanonical(id: String) throws(MeetlogError) -> (seq: Int64, canonical: [UInt8])? {
    guard let found = try event(id: id) else { return nil }
    guard found.seq > startSeq else { return try committed.canonical(seq: found.seq).map { (found.seq, $0) } }
    for run in writing + [staged] {
      if let first = run.first, found.seq >= first.seq, found.seq <= run.last!.seq {
        return (found.seq, run[Int(found.seq - first.seq)].canonical)
      }
    }
    // Written already (rare: an id repeated a run or more later). The connection is
    // this thread's again once the writer is idle.
    try waitForWriter(keeping: 0)
    return try CommittedIndex(store: store, separately: false).canonical(seq: found.seq).map { (found.seq, $0) }
  }

  /// Checks the event's references, then stages it with the next seq and chain link.
  func insert(
    _ event: Event, canonical: [UInt8], recordedMicros: Int64, recordedText: String? = nil, location: InputLocation
  ) throws(MeetlogError) -> Int64 {
    let effects = try Self.checkReferences(ReferenceFacts(event), index: self, at: location)
    let seq = head.seq + 1
    try Self.checkSize(canonical, at: location)
    // The recorded_at text is stored only when it is not the UTC form of recorded_us.
    if recordedUTC?.micros != recordedMicros { recordedUTC = (recordedMicros, Timestamp.formatUTC(recordedMicros)) }
    let utc = recordedUTC!.text
    let storedText = recordedText == nil || recordedText == utc ? nil : recordedText
    let recordedAt = storedText ?? utc
    // The row before ends its commit when this one is recorded at another time (an
    // import's runs); it then stores its whole link. Runs are handed over only here,
    // with a row to follow, so that the batch's last row is still staged at `flush`.
    if let last = staged.last, last.recordedMicros != recordedMicros || last.recordedText != storedText {
      staged[staged.count - 1].endsCommit = true
    }
    if staged.count >= Self.stagedLimit { try handOffStaged() }
    let hash = HashChain.link(previous: head.hash, seq: seq, recordedAt: recordedAt, canonical: canonical)
    let idKey = StoreKey.id(event.id)
    staged.append(
      StagedRow(
        seq: seq, type: StoreSchema.typeCode(event.type), occurredMicros: event.occurredAt.micros, idKey: idKey,
        canonical: canonical, hash: hash, recordedMicros: recordedMicros, recordedText: storedText,
        nameKey: effects.defines.map { StoreKey.name($0.0, $0.1) }, resolvesItemSeq: effects.resolvesItemSeq,
        retractsSeq: effects.retracts?.seq, retractsResolution: effects.retracts?.type == .itemResolved))
    let indexed = IndexedEvent(seq: seq, id: event.id, type: event.type, occurredAt: event.occurredAt)
    if let holder = batchIds[idKey], holder.id != event.id {
      batchIdsSharingAKey[event.id] = indexed
    } else {
      batchIds[idKey] = indexed
    }
    collected?.add(event, seq: seq, retracting: effects.retracts?.seq)
    try record(seq: seq, effects: effects)
    if let (kind, name) = effects.defines {
      if kind == .meeting { batchMeetings[name] = indexed } else { batchItems[name] = indexed }
    }
    head = StoreHead(seq: seq, hash: hash, recordedMicros: recordedMicros)
    return seq
  }

  static func checkReferences(_ event: ReferenceFacts, index: some ReferenceIndex, at location: InputLocation) throws(MeetlogError)
    -> ReferenceEffects
  {
    do { return try ReferenceRules.check(event, index: index) } catch {
      throw MeetlogError(.invalidInput, "\(location.description): \(error.description)")
    }
  }

  static func checkSize(_ canonical: [UInt8], at location: InputLocation) throws(MeetlogError) {
    if canonical.count > InputReader.maxEventBytes {
      throw MeetlogError(
        .invalidInput,
        "\(location.description): the event is \(canonical.count) bytes long: an event may be at most \(InputReader.maxEventBytes) bytes (1 MiB)"
      )
    }
  }

  /// Writes every row not yet written; the end of a batch.
  func flush() throws(MeetlogError) {
    // A batch with no row to write (all duplicates) still hands over an empty run, so
    // that a failure of the writer's preparing (storing a dictionary) is reported.
    // The batch's last row ends its commit: the head's whole link is stored.
    if !staged.isEmpty { staged[staged.count - 1].endsCommit = true }
    if !staged.isEmpty || !handedOffAny { try handOff(staged) }
    staged = []
    whileWriting?()
    whileWriting = nil
    try waitForWriter(keeping: 0)
    stop()
  }

  /// Whether this is a large first append, whose events are the whole log.
  var isLargeFirstAppend: Bool { threaded && startSeq == 0 }

  /// Leaves the fold's view of the batch to a `SpeculativeSnapshot`.
  func stopCollecting() { collected = nil }

  /// The batch as the fold sees it, once every event is in, until it is folded: for a
  /// large first append (the batch is then the whole log).
  var appendedFold: AppendedFold? {
    guard let collected, collected.lastSeq == head.seq, !collected.folded else { return nil }
    return collected
  }

  /// Ends the writing thread: the connection is this thread's again.
  func stop() {
    writer?.stop()
    writer = nil
  }

  /// Hands a full run to the writer; with five runs outstanding, waits for the oldest
  /// (the writer trains the first dictionary before it writes: with two, this thread
  /// waited for the training for about 50 ms of a 100,000-event append under `perf`).
  /// A run is compressed here first when the writer is still writing the one before
  /// (and has its dictionary): compressing was half the writer's work, and the writer
  /// became the busier thread once the snapshot was folded on a thread of its own.
  /// Compressing every other run here took a 100k append from 0.98 to 0.91 s; two in
  /// three, and this rule, which follows whichever thread is behind, measured the same.
  private func handOffStaged() throws(MeetlogError) {
    if let writer, writer.isBehind, let compressor = writer.compressorForCaller {
      for i in staged.indices { staged[i].payload = compressor.compress(staged[i].canonical) }
    }
    try handOff(staged)
    staged = []
    staged.reserveCapacity(Self.stagedLimit)
    try waitForWriter(keeping: 4)
  }

  private func handOff(_ run: [StagedRow]) throws(MeetlogError) {
    if writer == nil { startWriter(nil) }
    handedOffAny = true
    writer!.submit(run)
    writing.append(run)
  }

  /// Waits until at most `keeping` handed-off runs are not yet written.
  private func waitForWriter(keeping: Int) throws(MeetlogError) {
    while writing.count > keeping {
      try writer!.waitForOldest()
      writing.removeFirst()
    }
  }

  // MARK: ReferenceIndex

  func event(id: String) throws(MeetlogError) -> IndexedEvent? {
    let key = StoreKey.id(id)
    if let found = batchIds[key], found.id == id { return found }
    if !batchIdsSharingAKey.isEmpty, let found = batchIdsSharingAKey[id] { return found }
    guard startSeq > 0 else { return nil }
    for seq in try committed.seqs(idKey: key) where seq <= startSeq {
      if let stored = try committed.header(seq: seq), stored.id == id {
        return IndexedEvent(seq: seq, id: id, type: stored.type, occurredAt: stored.occurredAt)
      }
    }
    return nil
  }

  func holder(_ kind: NameKind, _ name: String) throws(MeetlogError) -> IndexedEvent? {
    if let found = kind == .meeting ? batchMeetings[name] : batchItems[name] { return found }
    guard startSeq > 0 else { return nil }
    for seq in try committed.seqs(nameKey: StoreKey.name(kind, name)) where seq <= startSeq {
      guard let stored = try committed.header(seq: seq) else { continue }
      if (kind == .meeting ? stored.definedMeeting : stored.definedItem) == name {
        return IndexedEvent(seq: seq, id: stored.id, type: stored.type, occurredAt: stored.occurredAt)
      }
    }
    return nil
  }

  func isRetracted(seq: Int64) throws(MeetlogError) -> Bool {
    if batchRetracted.contains(seq) { return true }
    return seq <= startSeq ? try committed.isRetracted(seq: seq) : false
  }

  func resolution(itemSeq: Int64) throws(MeetlogError) -> Int64? {
    if let known = batchResolutions[itemSeq] { return known }
    return itemSeq <= startSeq ? try committed.resolution(itemSeq: itemSeq) : nil
  }

  /// Keeps what the event changed in memory; its rows are written with it (`StagedRow`).
  func record(seq: Int64, effects: ReferenceEffects) throws(MeetlogError) {
    if let item = effects.resolvesItemSeq {
      batchResolutions[item] = seq
      batchResolvedItems[seq] = item
    }
    if let target = effects.retracts {
      batchRetracted.insert(target.seq)
      if target.type == .itemResolved {
        var item = batchResolvedItems[target.seq]
        if item == nil && target.seq <= startSeq { item = try committed.item(resolvedBy: target.seq) }
        if let item { batchResolutions[item] = .some(nil) }
      }
    }
  }
}
