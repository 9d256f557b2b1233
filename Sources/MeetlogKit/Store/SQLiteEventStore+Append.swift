#if canImport(Glibc)
  import Glibc
#endif

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
      var outcomes: [AppendOutcome] = []
      for (position, pending) in batch.enumerated() {
        var event = pending.input.event
        if !pending.input.idGiven {
          event.id = HashChain.generatedId(head: writer.head.hash, position: position, canonical: CanonicalEncoding.bytes(event))
        }
        if let existing = try writer.existingCanonical(id: event.id) {
          if existing.canonical == CanonicalEncoding.bytes(event) {
            outcomes.append(AppendOutcome(seq: existing.seq, id: event.id, duplicate: true))
            continue
          }
          throw MeetlogError(
            .invalidInput,
            "\(pending.location.description): id: \"\(event.id)\" already names another event (seq \(existing.seq)) with different content: choose a new id"
          )
        }
        let seq = try writer.insert(event, recordedMicros: recordedMicros, location: pending.location)
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
      for pending in batch {
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
        _ = try writer.insert(input.event, recordedMicros: recordedAt.micros, recordedText: recordedAt.text, location: pending.location)
      }
      return writer.head.seq
    }
  }

  /// Runs `body` in one `BEGIN IMMEDIATE` transaction: commits if it returns, rolls
  /// back if it throws. A store that stays locked past the busy timeout gives exit 75.
  func write<R>(_ body: (BatchWriter) throws(MeetlogError) -> R) throws(MeetlogError) -> R {
    try translate { () throws(SQLiteError) in try connection.execute("BEGIN IMMEDIATE") }
    do {
      let writer = try translate { () throws(SQLiteError) in try BatchWriter(store: self) }
      let result = try body(writer)
      try translate { () throws(SQLiteError) in try connection.execute("COMMIT") }
      return result
    } catch {
      try? connection.execute("ROLLBACK")
      throw error
    }
  }
}

/// The inside of one append transaction: prepared statements, the running head of the
/// chain, and the `ReferenceIndex` that sees the events inserted so far.
final class BatchWriter: ReferenceIndex {
  unowned let store: SQLiteEventStore
  private(set) var head: StoreHead
  private let byId: SQLiteStatement
  private let bySeq: SQLiteStatement
  private let insertEvent: SQLiteStatement
  private let selectName: SQLiteStatement
  private let upsertName: SQLiteStatement
  private let selectRetraction: SQLiteStatement
  private let insertRetraction: SQLiteStatement
  private let selectResolution: SQLiteStatement
  private let insertResolution: SQLiteStatement
  private let deleteResolution: SQLiteStatement

  init(store: SQLiteEventStore) throws(SQLiteError) {
    self.store = store
    let c = store.connection
    head = try store.readHead()
    byId = try c.prepare("SELECT seq, type, occurred_at, dict_id, payload FROM events WHERE id = ?")
    bySeq = try c.prepare("SELECT id, type, occurred_at FROM events WHERE seq = ?")
    insertEvent = try c.prepare(
      "INSERT INTO events(seq, id, type, occurred_at, occurred_us, recorded_at, recorded_us, dict_id, payload, hash) VALUES (?,?,?,?,?,?,?,?,?,?)"
    )
    selectName = try c.prepare("SELECT seq FROM names WHERE kind = ? AND name = ?")
    upsertName = try c.prepare("INSERT OR REPLACE INTO names(kind, name, seq) VALUES (?, ?, ?)")
    selectRetraction = try c.prepare("SELECT seq FROM retractions WHERE target_seq = ?")
    insertRetraction = try c.prepare("INSERT INTO retractions(target_seq, seq) VALUES (?, ?)")
    selectResolution = try c.prepare("SELECT seq FROM resolutions WHERE item_seq = ?")
    insertResolution = try c.prepare("INSERT INTO resolutions(item_seq, seq) VALUES (?, ?)")
    deleteResolution = try c.prepare("DELETE FROM resolutions WHERE seq = ?")
  }

  private func sql<R>(_ body: () throws(SQLiteError) -> R) throws(MeetlogError) -> R {
    try store.translate(body)
  }

  /// The canonical bytes already stored under `id`, if any.
  func existingCanonical(id: String) throws(MeetlogError) -> (seq: Int64, canonical: [UInt8])? {
    let found = try sql { () throws(SQLiteError) -> Bool in
      try byId.bind(1, id)
      return try byId.step()
    }
    defer { byId.reset() }
    guard found else { return nil }
    let seq = byId.int64(0)
    do {
      let canonical = try byId.withBlob(4) { (raw) throws(StoredEventError) in
        try store.codec.canonicalBytes(dictId: byId.int64(3), payload: raw)
      }
      return (seq, canonical)
    } catch {
      throw MeetlogError(.io, "\(store.path): seq \(seq): \(error.message) (run meetlog verify)")
    }
  }

  /// Checks the event's references, then inserts it with the next seq and chain link.
  func insert(_ event: Event, recordedMicros: Int64, recordedText: String? = nil, location: InputLocation) throws(MeetlogError) -> Int64 {
    let effects: ReferenceEffects
    do { effects = try ReferenceRules.check(event, index: self) } catch {
      throw MeetlogError(.invalidInput, "\(location.description): \(error.description)")
    }
    let seq = head.seq + 1
    let recordedAt = recordedText ?? Timestamp.formatUTC(recordedMicros)
    let canonical = CanonicalEncoding.bytes(event)
    if canonical.count > InputReader.maxEventBytes {
      throw MeetlogError(
        .invalidInput,
        "\(location.description): the event is \(canonical.count) bytes long: an event may be at most \(InputReader.maxEventBytes) bytes (1 MiB)"
      )
    }
    let hash = HashChain.link(previous: head.hash, seq: seq, recordedAt: recordedAt, canonical: canonical)
    let (dictId, payload) = store.codec.compress(canonical)
    try sql { () throws(SQLiteError) in
      try insertEvent.bind(1, seq)
      try insertEvent.bind(2, event.id)
      try insertEvent.bind(3, event.type.rawValue)
      try insertEvent.bind(4, event.occurredAt.text)
      try insertEvent.bind(5, event.occurredAt.micros)
      try insertEvent.bind(6, recordedAt)
      try insertEvent.bind(7, recordedMicros)
      try insertEvent.bind(8, dictId)
      try insertEvent.bind(9, payload)
      try insertEvent.bind(10, hash)
      try insertEvent.run()
    }
    try record(event, seq: seq, effects: effects)
    head = StoreHead(seq: seq, hash: hash, recordedMicros: recordedMicros)
    return seq
  }

  // MARK: ReferenceIndex

  func event(id: String) throws(MeetlogError) -> IndexedEvent? {
    try sql { () throws(SQLiteError) -> IndexedEvent? in
      defer { byId.reset() }
      try byId.bind(1, id)
      guard try byId.step(), let type = EventType(rawValue: byId.text(1)) else { return nil }
      guard case .success(let occurred) = Timestamp.parse(byId.text(2)) else { return nil }
      return IndexedEvent(seq: byId.int64(0), id: id, type: type, occurredAt: occurred)
    }
  }

  func holder(_ kind: NameKind, _ name: String) throws(MeetlogError) -> IndexedEvent? {
    try sql { () throws(SQLiteError) -> IndexedEvent? in
      try selectName.bind(1, kind.rawValue)
      try selectName.bind(2, name)
      let found = try selectName.step()
      let seq = selectName.int64(0)
      selectName.reset()
      guard found else { return nil }
      defer { bySeq.reset() }
      try bySeq.bind(1, seq)
      guard try bySeq.step(), let type = EventType(rawValue: bySeq.text(1)) else { return nil }
      guard case .success(let occurred) = Timestamp.parse(bySeq.text(2)) else { return nil }
      return IndexedEvent(seq: seq, id: bySeq.text(0), type: type, occurredAt: occurred)
    }
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
        try upsertName.bind(1, kind.rawValue)
        try upsertName.bind(2, name)
        try upsertName.bind(3, seq)
        try upsertName.run()
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
