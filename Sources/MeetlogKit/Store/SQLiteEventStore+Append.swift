extension SQLiteEventStore {
  public func append(_ batch: [PendingEvent], expectSeq: Int64?, now: Int64) throws(MeetlogError) -> [AppendOutcome] {
    try write(expected: batch.count) { (writer) throws(MeetlogError) in
      let head = writer.head
      if let expectSeq, expectSeq != head.seq {
        throw MeetlogError(
          .conflict,
          "\(path): --expect-seq \(expectSeq) does not match the log's last seq \(head.seq): nothing was appended; re-read and retry")
      }
      // recorded_at never decreases, even if the clock steps back.
      let recordedMicros = max(now, head.recordedMicros)
      try writer.prepareDictionary(incoming: batch, now: recordedMicros)
      // A large first append that `maintainSnapshot(now:)` will follow with a snapshot:
      // a thread of its own folds it while this one checks and the writer writes.
      var speculation: SpeculativeSnapshot?
      if writer.isLargeFirstAppend, snapshotEvery > 0, batch.count >= snapshotEvery {
        speculation = SpeculativeSnapshot(batch, now: now, checkpointEvery: checkpointEvery)
        writer.stopCollecting()
      }
      var outcomes: [AppendOutcome] = []
      outcomes.reserveCapacity(batch.count)
      /// Checks and stages one event. The batch's events are passed borrowed, not copied:
      /// copying each `Event` (and each `PendingEvent` in the loop) retained and released
      /// every String in it.
      func appendOne(_ event: Event, at location: InputLocation) throws(MeetlogError) {
        let canonical = CanonicalEncoding.bytes(event)
        if let existing = try writer.existingCanonical(id: event.id) {
          if existing.canonical == canonical {
            outcomes.append(AppendOutcome(seq: existing.seq, id: event.id, duplicate: true))
            return
          }
          throw Self.idTaken(event.id, seq: existing.seq, at: location)
        }
        let seq = try writer.insert(event, canonical: canonical, recordedMicros: recordedMicros, location: location)
        outcomes.append(AppendOutcome(seq: seq, id: event.id, duplicate: false))
      }
      for position in batch.indices {
        if position & 4095 == 4095 { progress?.progress(done: position, total: batch.count) }
        if batch[position].input.idGiven {
          try appendOne(batch[position].input.event, at: batch[position].location)
        } else {
          var event = batch[position].input.event
          event.id = HashChain.generatedId(head: writer.head.hash, position: position, canonical: CanonicalEncoding.bytes(event))
          try appendOne(event, at: batch[position].location)
        }
      }
      if let speculation {
        // Its seqs are the check's only if the check appended every event.
        let whole = writer.head.seq == Int64(batch.count)
        writer.whileWriting = { [unowned self] in
          let prepared = speculation.finish()
          if whole { self.preparedSnapshot = prepared }
        }
      } else if let appended = writer.appendedFold, snapshotEvery > 0, appended.lastSeq >= snapshotEvery {
        // Otherwise this thread folds it while the writer finishes.
        let key = PreparedSnapshot.Key(
          bound: appended.lastSeq, lastOccurrence: appended.lastOccurrence, now: now, weights: ScoreWeights(),
          checkpointEvery: checkpointEvery)
        writer.whileWriting = { [unowned self] in
          self.preparedSnapshot = PreparedSnapshot.folding(appended, key: key, weights: ScoreWeights())
        }
      }
      return outcomes
    }
  }

  public func importEvents(_ batch: [PendingEvent]) throws(MeetlogError) -> Int64 {
    try write(expected: batch.count) { (writer) throws(MeetlogError) in
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
    let index = MemoryReferenceIndex(expected: batch.count)
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
      let facts = ReferenceFacts(event)
      let effects = try BatchWriter.checkReferences(facts, index: index, at: pending.location)
      index.add(facts, seq: seq)
      index.record(seq: seq, effects: effects)
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
  /// `expected` is how many events the batch holds (a large one is written on two threads).
  func write<R>(expected: Int, _ body: (BatchWriter) throws(MeetlogError) -> R) throws(MeetlogError) -> R {
    appendedFold = nil
    preparedSnapshot = nil
    try translate { () throws(SQLiteError) in try connection.cached("BEGIN IMMEDIATE").run() }
    var writer: BatchWriter?
    do {
      try translate { () throws(SQLiteError) in try upgradeFormat() }
      let started = try BatchWriter(store: self, expected: expected)
      writer = started
      let result = try body(started)
      try started.flush()
      writer = nil
      connection.resetCached()
      try translate { () throws(SQLiteError) in try connection.cached("COMMIT").run() }
      storeFormat = Int64(StoreSchema.formatVersion)
      appendedFold = started.appendedFold
      return result
    } catch {
      // The writing thread leaves the connection before the rollback.
      writer?.stop()
      writer = nil
      preparedSnapshot = nil
      connection.resetCached()
      try? connection.execute("ROLLBACK")
      codec.forgetDictionaries()
      throw error
    }
  }
}
