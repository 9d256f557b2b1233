extension SQLiteEventStore {
  public func append(_ batch: [PendingEvent], expectSeq: Int64?, now: Int64) throws(MeetlogError) -> [AppendOutcome] {
    try write { (writer) throws(MeetlogError) in
      let head = writer.head
      if let expectSeq, expectSeq != head.seq {
        throw MeetlogError(
          .conflict,
          "\(path): --expect-seq \(expectSeq) does not match the log's last seq \(head.seq): nothing was appended; re-read and retry")
      }
      // recorded_at never decreases, even if the clock steps back.
      let recordedMicros = max(now, head.recordedMicros)
      try writer.prepareDictionary(incoming: batch, now: recordedMicros)
      var outcomes: [AppendOutcome] = []
      outcomes.reserveCapacity(batch.count)
      for (position, pending) in batch.enumerated() {
        if position & 4095 == 4095 { progress?.progress(done: position, total: batch.count) }
        var event = pending.input.event
        if !pending.input.idGiven {
          event.id = HashChain.generatedId(head: writer.head.hash, position: position, canonical: CanonicalEncoding.bytes(event))
        }
        let canonical = CanonicalEncoding.bytes(event)
        if let existing = try writer.existingCanonical(id: event.id) {
          if existing.canonical == canonical {
            outcomes.append(AppendOutcome(seq: existing.seq, id: event.id, duplicate: true))
            continue
          }
          throw Self.idTaken(event.id, seq: existing.seq, at: pending.location)
        }
        let seq = try writer.insert(event, canonical: canonical, recordedMicros: recordedMicros, location: pending.location)
        outcomes.append(AppendOutcome(seq: seq, id: event.id, duplicate: false))
      }
      return outcomes
    }
  }

  public func importEvents(_ batch: [PendingEvent]) throws(MeetlogError) -> Int64 {
    try write { (writer) throws(MeetlogError) in
      guard writer.head.seq == 0 else {
        throw MeetlogError(.invalidInput, "\(path): import needs an empty store, and this one holds \(writer.head.seq) events")
      }
      try writer.prepareDictionary(incoming: batch, now: batch.last?.input.recordedAt?.micros ?? 0)
      for (position, pending) in batch.enumerated() {
        if position & 4095 == 4095 { progress?.progress(done: position, total: batch.count) }
        let input = pending.input
        guard let seq = input.seq, let recordedAt = input.recordedAt else {
          throw MeetlogError(.invalidInput, "\(pending.location.description): seq: an export line needs seq and recorded_at")
        }
        if seq != writer.head.seq + 1 {
          throw MeetlogError(
            .invalidInput, "\(pending.location.description): seq: \(seq) breaks the sequence: \(writer.head.seq + 1) was expected")
        }
        if recordedAt.micros < writer.head.recordedMicros {
          throw MeetlogError(
            .invalidInput, "\(pending.location.description): recorded_at: \"\(recordedAt.text)\" is earlier than the event before it")
        }
        if let existing = try writer.existingCanonical(id: input.event.id) {
          throw MeetlogError(
            .invalidInput, "\(pending.location.description): id: \"\(input.event.id)\" appears twice (first at seq \(existing.seq))")
        }
        _ = try writer.insert(
          input.event, canonical: CanonicalEncoding.bytes(input.event), recordedMicros: recordedAt.micros, recordedText: recordedAt.text,
          location: pending.location)
      }
      return writer.head.seq
    }
  }

  /// Checks a batch against an empty log in memory, as `append` would, without a store:
  /// a first append that would fail must not create the file.
  public static func checkFirstBatch(_ batch: [PendingEvent]) throws(MeetlogError) {
    let index = MemoryReferenceIndex()
    var stored: [String: (seq: Int64, position: Int)] = [:]
    var seq: Int64 = 0
    for (position, pending) in batch.enumerated() {
      var event = pending.input.event
      // A generated id is unique; this stand-in can be no given id.
      if !pending.input.idGiven { event.id = "\u{0}\(position)" }
      let canonical = CanonicalEncoding.bytes(event)
      if let existing = stored[event.id] {
        // Only given ids repeat (stand-ins are unique), so the first holder is as given.
        if CanonicalEncoding.bytes(batch[existing.position].input.event) == canonical { continue }
        throw idTaken(event.id, seq: existing.seq, at: pending.location)
      }
      seq += 1
      try BatchWriter.checkSize(canonical, at: pending.location)
      let effects = try BatchWriter.checkReferences(event, index: index, at: pending.location)
      index.add(event, seq: seq)
      index.record(event, seq: seq, effects: effects)
      stored[event.id] = (seq, position)
    }
  }

  static func idTaken(_ id: String, seq: Int64, at location: InputLocation) -> MeetlogError {
    MeetlogError(
      .invalidInput,
      "\(location.description): id: \"\(id)\" already names another event (seq \(seq)) with different content: choose a new id")
  }

  /// Runs `body` in one `BEGIN IMMEDIATE` transaction: commits if it returns, rolls
  /// back if it throws. A store that stays locked past the busy timeout gives exit 75.
  func write<R>(_ body: (BatchWriter) throws(MeetlogError) -> R) throws(MeetlogError) -> R {
    try translate { () throws(SQLiteError) in try connection.execute("BEGIN IMMEDIATE") }
    do {
      let writer = try translate { () throws(SQLiteError) in try BatchWriter(store: self) }
      let result = try body(writer)
      try writer.flush()
      connection.resetCached()
      try translate { () throws(SQLiteError) in try connection.execute("COMMIT") }
      return result
    } catch {
      connection.resetCached()
      try? connection.execute("ROLLBACK")
      codec.forgetDictionaries()
      throw error
    }
  }
}

/// An event checked and chained, waiting to be compressed and inserted.
struct StagedRow {
  var seq: Int64
  var type: Int64
  var occurredMicros: Int64
  var idKey: Int64
  var canonical: [UInt8]
  var hash: [UInt8]
  var recordedMicros: Int64
  var recordedText: String?
}

/// The inside of one append transaction: prepared statements, the running head of the
/// chain, and the `ReferenceIndex` the reference rules ask.
///
/// Events of this batch are answered from memory; older ones from the index tables,
/// each 64-bit key confirmed against the stored event it points to.
final class BatchWriter: ReferenceIndex {
  unowned let store: SQLiteEventStore
  private(set) var head: StoreHead
  /// The last seq before this batch: lookups above it are answered from memory.
  private let startSeq: Int64
  /// The newest dictionary (0: none yet) and the log size it was trained at.
  private var dictId: Int64 = 0
  private var dictLogSize: Int64?
  private var commit: (micros: Int64, text: String?)?
  /// Rows checked and chained but not yet compressed and inserted: compressing a run
  /// of events together keeps zstd's tables in the cache.
  private var staged: [StagedRow] = []
  private static let stagedLimit = 4096
  /// Runs of staged rows being compressed on a second thread, oldest first, and the
  /// thread; started by the first full run, so a small batch starts no thread.
  private var compressing: [[StagedRow]] = []
  private var compressor: RowCompressor?
  private var batchIds: [String: IndexedEvent] = [:]
  private var batchMeetings: [String: IndexedEvent] = [:]
  private var batchItems: [String: IndexedEvent] = [:]
  private let payloadBySeq: SQLiteStatement
  private let idLookup: SQLiteStatement
  private let insertEvent: SQLiteStatement
  private let insertId: SQLiteStatement
  private let insertCommit: SQLiteStatement
  private let nameLookup: SQLiteStatement
  private let insertName: SQLiteStatement
  private let selectRetraction: SQLiteStatement
  private let insertRetraction: SQLiteStatement
  private let selectResolution: SQLiteStatement
  private let insertResolution: SQLiteStatement
  private let deleteResolution: SQLiteStatement

  init(store: SQLiteEventStore) throws(SQLiteError) {
    self.store = store
    let c = store.connection
    head = try store.readHead()
    startSeq = head.seq
    let newest = try c.cached("SELECT id, log_size FROM dictionaries ORDER BY id DESC LIMIT 1")
    if try newest.step() {
      dictId = newest.int64(0)
      dictLogSize = newest.int64(1)
    }
    payloadBySeq = try c.cached("SELECT dict_id, payload FROM events WHERE seq = ?")
    idLookup = try c.cached("SELECT seq FROM ids WHERE key = ? ORDER BY seq")
    insertEvent = try c.cached("INSERT INTO events(seq, type, occurred_us, dict_id, payload, hash) VALUES (?,?,?,?,?,?)")
    insertId = try c.cached("INSERT INTO ids(key, seq) VALUES (?, ?)")
    insertCommit = try c.cached("INSERT INTO commits(first_seq, recorded_us, recorded_at) VALUES (?, ?, ?)")
    nameLookup = try c.cached("SELECT seq FROM names WHERE key = ? ORDER BY seq DESC")
    insertName = try c.cached("INSERT INTO names(key, seq) VALUES (?, ?)")
    selectRetraction = try c.cached("SELECT seq FROM retractions WHERE target_seq = ?")
    insertRetraction = try c.cached("INSERT INTO retractions(target_seq, seq) VALUES (?, ?)")
    selectResolution = try c.cached("SELECT seq FROM resolutions WHERE item_seq = ?")
    insertResolution = try c.cached("INSERT INTO resolutions(item_seq, seq) VALUES (?, ?)")
    deleteResolution = try c.cached("DELETE FROM resolutions WHERE seq = ?")
  }

  private func sql<R>(_ body: () throws(SQLiteError) -> R) throws(MeetlogError) -> R {
    try store.translate(body)
  }

  /// Trains a new dictionary when the log, with this batch, has grown enough since the
  /// last one (`DictionaryPolicy`); the batch is then compressed with it.
  func prepareDictionary(incoming: [PendingEvent], now: Int64) throws(MeetlogError) {
    let logSize = head.seq + Int64(incoming.count)
    guard DictionaryPolicy.shouldTrain(logSize: logSize, lastLogSize: dictLogSize) else { return }
    var samples = DictionaryPolicy.spread(incoming, count: DictionaryPolicy.maxSamples).map { CanonicalEncoding.bytes($0.input.event) }
    if samples.count < DictionaryPolicy.maxSamples && head.seq > 0 {
      samples += try storedSamples(count: DictionaryPolicy.maxSamples - samples.count)
    }
    guard let dictionary = DictionaryPolicy.train(samples) else { return }
    dictId = try sql { () throws(SQLiteError) -> Int64 in
      let insert = try store.connection.prepare(
        "INSERT INTO dictionaries(id, created_at, log_size, samples, bytes) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM dictionaries), ?, ?, ?, ?) RETURNING id"
      )
      try insert.bind(1, Timestamp.formatUTC(now))
      try insert.bind(2, logSize)
      try insert.bind(3, Int64(samples.count))
      try insert.bind(4, dictionary)
      _ = try insert.step()
      return insert.int64(0)
    }
    dictLogSize = logSize
  }

  /// Canonical bytes of up to `count` of the latest stored events.
  private func storedSamples(count: Int) throws(MeetlogError) -> [[UInt8]] {
    let statement = try sql { () throws(SQLiteError) in
      let s = try store.connection.prepare("SELECT dict_id, payload FROM events ORDER BY seq DESC LIMIT ?")
      try s.bind(1, Int64(count))
      return s
    }
    var samples: [[UInt8]] = []
    while try sql({ () throws(SQLiteError) in try statement.step() }) {
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

  /// The canonical bytes stored at `seq` (an event inserted before), decompressed.
  private func storedCanonical(seq: Int64) throws(MeetlogError) -> [UInt8]? {
    let found = try sql { () throws(SQLiteError) -> Bool in
      try payloadBySeq.bind(1, seq)
      return try payloadBySeq.step()
    }
    defer { payloadBySeq.reset() }
    guard found else { return nil }
    do {
      return try payloadBySeq.withBlob(1) { (raw) throws(StoredEventError) in
        try store.codec.canonicalBytes(dictId: payloadBySeq.int64(0), payload: raw)
      }
    } catch {
      throw MeetlogError(.io, "\(store.path): seq \(seq): \(error.message) (run meetlog verify)")
    }
  }

  /// The stored event at `seq`, decoded.
  private func storedEvent(seq: Int64) throws(MeetlogError) -> Event? {
    guard let canonical = try storedCanonical(seq: seq) else { return nil }
    do { return try PayloadCodec.decode(canonical: canonical) } catch {
      throw MeetlogError(.io, "\(store.path): seq \(seq): \(error.message) (run meetlog verify)")
    }
  }

  /// The seqs stored under a key, in the statement's order.
  private func seqs(_ statement: SQLiteStatement, key: Int64) throws(MeetlogError) -> [Int64] {
    try sql { () throws(SQLiteError) -> [Int64] in
      defer { statement.reset() }
      try statement.bind(1, key)
      var seqs: [Int64] = []
      while try statement.step() { seqs.append(statement.int64(0)) }
      return seqs
    }
  }

  /// The seq and canonical bytes of the event already stored under `id`, if any.
  func existingCanonical(id: String) throws(MeetlogError) -> (seq: Int64, canonical: [UInt8])? {
    guard let found = try event(id: id) else { return nil }
    for run in compressing + [staged] {
      if let first = run.first, found.seq >= first.seq, found.seq <= run.last!.seq {
        return (found.seq, run[Int(found.seq - first.seq)].canonical)
      }
    }
    guard let stored = try storedCanonical(seq: found.seq) else { return nil }
    return (found.seq, stored)
  }

  /// Checks the event's references, then inserts it with the next seq and chain link.
  func insert(
    _ event: Event, canonical: [UInt8], recordedMicros: Int64, recordedText: String? = nil, location: InputLocation
  ) throws(MeetlogError) -> Int64 {
    let effects = try Self.checkReferences(event, index: self, at: location)
    let seq = head.seq + 1
    try Self.checkSize(canonical, at: location)
    // The recorded_at text is stored only when it is not the UTC form of recorded_us.
    let utc = Timestamp.formatUTC(recordedMicros)
    let storedText = recordedText == nil || recordedText == utc ? nil : recordedText
    let recordedAt = storedText ?? utc
    let hash = HashChain.link(previous: head.hash, seq: seq, recordedAt: recordedAt, canonical: canonical)
    staged.append(
      StagedRow(
        seq: seq, type: StoreSchema.typeCode(event.type), occurredMicros: event.occurredAt.micros, idKey: StoreKey.id(event.id),
        canonical: canonical, hash: hash, recordedMicros: recordedMicros, recordedText: storedText))
    if staged.count >= Self.stagedLimit { try handOffStaged() }
    let indexed = IndexedEvent(seq: seq, id: event.id, type: event.type, occurredAt: event.occurredAt)
    batchIds[event.id] = indexed
    try record(event, seq: seq, effects: effects)
    if let (kind, name) = effects.defines {
      if kind == .meeting { batchMeetings[name] = indexed } else { batchItems[name] = indexed }
    }
    head = StoreHead(seq: seq, hash: hash, recordedMicros: recordedMicros)
    return seq
  }

  static func checkReferences(_ event: Event, index: some ReferenceIndex, at location: InputLocation) throws(MeetlogError)
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

  /// Compresses and inserts every row not yet inserted; the end of a batch.
  func flush() throws(MeetlogError) {
    guard let compressor else {
      guard !staged.isEmpty else { return }
      let payloads: [[UInt8]]
      do {
        let codec = store.codec
        payloads = try staged.map { (row) throws(StoredEventError) in try codec.compress(row.canonical, dictId: dictId) }
      } catch {
        throw MeetlogError(.io, "\(store.path): \(error.message) (run meetlog verify)")
      }
      try insert(staged, payloads: payloads)
      staged.removeAll(keepingCapacity: true)
      return
    }
    if !staged.isEmpty {
      compressor.submit(staged)
      compressing.append(staged)
      staged = []
    }
    while !compressing.isEmpty { try insert(compressing.removeFirst(), payloads: compressor.next()) }
    compressor.stop()
    self.compressor = nil
  }

  /// Hands a full run of staged rows to the compressing thread, and inserts the run
  /// before it, whose compression ran while this one was checked.
  private func handOffStaged() throws(MeetlogError) {
    if compressor == nil {
      do { compressor = RowCompressor(try store.codec.makeCompressor(dictId: dictId)) } catch {
        throw MeetlogError(.io, "\(store.path): \(error.message) (run meetlog verify)")
      }
    }
    compressor!.submit(staged)
    compressing.append(staged)
    staged = []
    staged.reserveCapacity(Self.stagedLimit)
    if compressing.count >= 2 { try insert(compressing.removeFirst(), payloads: compressor!.next()) }
  }

  /// Inserts rows with their payloads, with a commit row where the recorded time changes.
  private func insert(_ rows: [StagedRow], payloads: [[UInt8]]) throws(MeetlogError) {
    try sql { () throws(SQLiteError) in
      for (row, payload) in zip(rows, payloads) {
        if commit == nil || commit!.micros != row.recordedMicros || commit!.text != row.recordedText {
          try insertCommit.bind(1, row.seq)
          try insertCommit.bind(2, row.recordedMicros)
          if let text = row.recordedText { try insertCommit.bind(3, text) } else { try insertCommit.bindNull(3) }
          try insertCommit.run()
          commit = (row.recordedMicros, row.recordedText)
        }
        try insertEvent.bind(1, row.seq)
        try insertEvent.bind(2, row.type)
        try insertEvent.bind(3, row.occurredMicros)
        try insertEvent.bind(4, dictId)
        try insertEvent.bind(5, payload)
        try insertEvent.bind(6, row.hash)
        try insertEvent.run()
        try insertId.bind(1, row.idKey)
        try insertId.bind(2, row.seq)
        try insertId.run()
      }
    }
  }

  // MARK: ReferenceIndex

  func event(id: String) throws(MeetlogError) -> IndexedEvent? {
    if let found = batchIds[id] { return found }
    guard startSeq > 0 else { return nil }
    for seq in try seqs(idLookup, key: StoreKey.id(id)) where seq <= startSeq {
      if let stored = try storedEvent(seq: seq), stored.id == id {
        return IndexedEvent(seq: seq, id: id, type: stored.type, occurredAt: stored.occurredAt)
      }
    }
    return nil
  }

  func holder(_ kind: NameKind, _ name: String) throws(MeetlogError) -> IndexedEvent? {
    if let found = kind == .meeting ? batchMeetings[name] : batchItems[name] { return found }
    guard startSeq > 0 else { return nil }
    for seq in try seqs(nameLookup, key: StoreKey.name(kind, name)) where seq <= startSeq {
      guard let stored = try storedEvent(seq: seq) else { continue }
      if (kind == .meeting ? stored.definedMeeting : stored.definedItem) == name {
        return IndexedEvent(seq: seq, id: stored.id, type: stored.type, occurredAt: stored.occurredAt)
      }
    }
    return nil
  }

  func isRetracted(seq: Int64) throws(MeetlogError) -> Bool {
    try sql { () throws(SQLiteError) -> Bool in
      defer { selectRetraction.reset() }
      try selectRetraction.bind(1, seq)
      return try selectRetraction.step()
    }
  }

  func resolution(itemSeq: Int64) throws(MeetlogError) -> Int64? {
    try sql { () throws(SQLiteError) -> Int64? in
      defer { selectResolution.reset() }
      try selectResolution.bind(1, itemSeq)
      return try selectResolution.step() ? selectResolution.int64(0) : nil
    }
  }

  func record(_ event: Event, seq: Int64, effects: ReferenceEffects) throws(MeetlogError) {
    try sql { () throws(SQLiteError) in
      if let (kind, name) = effects.defines {
        try insertName.bind(1, StoreKey.name(kind, name))
        try insertName.bind(2, seq)
        try insertName.run()
      }
      if let itemSeq = effects.resolvesItemSeq {
        try insertResolution.bind(1, itemSeq)
        try insertResolution.bind(2, seq)
        try insertResolution.run()
      }
      if let target = effects.retracts {
        try insertRetraction.bind(1, target.seq)
        try insertRetraction.bind(2, seq)
        try insertRetraction.run()
        if target.type == .itemResolved {
          try deleteResolution.bind(1, target.seq)
          try deleteResolution.run()
        }
      }
    }
  }
}
