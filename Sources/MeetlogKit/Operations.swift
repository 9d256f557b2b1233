/// The work behind each command, callable without a process: the CLI parses options,
/// calls one of these and prints the result.
public enum Operations {
  /// Reads and validates every input (files, or standard input when none or `-`),
  /// before the store is touched. With `recordFields`, reads an export.
  public static func readEvents(from files: [String], recordFields: Bool = false) throws(MeetlogError) -> [PendingEvent] {
    var pending: [PendingEvent] = []
    let sources = files.isEmpty ? ["-"] : files
    for file in sources {
      let name = file == "-" ? "<stdin>" : file
      let bytes = file == "-" ? try FileIO.readStandardInput() : try FileIO.read(path: file)
      let read = try InputReader.read(bytes, file: name, direct: !recordFields) { (object) throws(MeetlogError) in
        if let direct = object.direct { return PendingEvent(input: direct, location: object.location) }
        do throws(FieldError) {
          return PendingEvent(input: try EventDecoder.decode(object.value, recordFields: recordFields), location: object.location)
        } catch {
          throw MeetlogError(.invalidInput, "\(object.location.description): \(error.description)")
        }
      }
      if pending.isEmpty { pending = read } else { pending += read }
    }
    return pending
  }

  /// Appends in one transaction. When the store does not exist yet, it is built under a
  /// temporary name and linked into place once complete (`createLinked`), so a rejected
  /// first append creates no file — and a store is never removed, since another process
  /// may be using it.
  /// `snapshotProgress` is shown while a snapshot is written after the append.
  /// `committed` is told the outcomes as soon as the events are in, before the snapshot
  /// is written and a new store is linked into place (a caller can start printing them);
  /// if linking finds another process's new store, the events are appended to that one
  /// and `committed` is told again. The outcomes returned are those of its last call.
  public static func append(
    storePath: String, events: [PendingEvent], expectSeq: Int64?, now: Int64, progress: ProgressObserver? = nil,
    snapshotProgress: ProgressObserver? = nil, committed: ([AppendOutcome]) -> Void = { _ in }
  ) throws(MeetlogError) -> [AppendOutcome] {
    func appendAndSnapshot(_ store: SQLiteEventStore) throws(MeetlogError) -> [AppendOutcome] {
      store.progress = progress
      defer { progress?.finish() }
      let outcomes = try store.append(events, expectSeq: expectSeq, now: now)
      committed(outcomes)
      progress?.finish()
      store.progress = snapshotProgress
      store.maintainSnapshot(now: now)
      snapshotProgress?.finish()
      return outcomes
    }
    if !SQLiteEventStore.exists(storePath) {
      if let expectSeq, expectSeq != 0 {
        throw MeetlogError(
          .conflict, "\(storePath): --expect-seq \(expectSeq) does not match the log's last seq 0 (no store yet): nothing was appended")
      }
      if SQLiteEventStore.unwritableReason(storePath, existing: false) == nil {
        if let outcomes = try SQLiteEventStore.createLinked(at: storePath, appendAndSnapshot) { return outcomes }
      } else {
        // The store cannot be created; an invalid batch is still reported as such.
        try SQLiteEventStore.checkFirstBatch(events)
      }
    }
    return try appendAndSnapshot(SQLiteEventStore(path: storePath, mode: .write))
  }

  /// Loads an export into a new or empty store; a new store is built beside its path
  /// and linked into place when complete (see `append`). `progress` makes an observer
  /// for each pass ("importing", then "snapshotting").
  public static func importExport(
    storePath: String, events: [PendingEvent], progress: (String) -> ProgressObserver? = { _ in nil }
  ) throws(MeetlogError) -> Int64 {
    func importAndSnapshot(_ store: SQLiteEventStore) throws(MeetlogError) -> Int64 {
      store.progress = progress("importing")
      defer { store.progress?.finish() }
      let last = try store.importEvents(events)
      store.progress?.finish()
      store.progress = progress("snapshotting")
      // The import has committed: a clock that cannot be read only skips the snapshot.
      if let now = try? WallClock.now() { store.maintainSnapshot(now: now) }
      store.progress?.finish()
      return last
    }
    if !SQLiteEventStore.exists(storePath) {
      if SQLiteEventStore.unwritableReason(storePath, existing: false) == nil {
        if let last = try SQLiteEventStore.createLinked(at: storePath, importAndSnapshot) { return last }
      } else {
        let check = try SQLiteEventStore(path: ":memory:", mode: .write)
        _ = try check.importEvents(events)
      }
    }
    return try importAndSnapshot(SQLiteEventStore(path: storePath, mode: .write))
  }

  /// Every event as export lines, in seq order.
  public static func export(_ store: some EventStore, _ write: ([UInt8]) -> Void) throws(MeetlogError) {
    var buffer: [UInt8] = []
    try store.scan(EventQuery()) { recorded in
      buffer += CanonicalEncoding.exportLine(recorded)
      buffer.append(0x0A)
      if buffer.count > 1 << 20 {
        write(buffer)
        buffer.removeAll(keepingCapacity: true)
      }
      return true
    }
    if !buffer.isEmpty { write(buffer) }
  }

  /// The log as event data (`docs/interop.md`): the events included now — retracted
  /// ones and retractions left out — in (`occurred_at`, `seq`) order, each coded once.
  public static func exportEventData(
    _ store: some EventStore, format: EventDataFormat, now: Int64, _ write: ([UInt8]) -> Void
  ) throws(MeetlogError) {
    try store.readSnapshot { () throws(MeetlogError) in
      let point = PointInTime(now: now)
      let bound = try StateQuery.boundSeq(store, point)
      var coder = EventCoder()
      try StateQuery.includedEvents(store, point, bound: bound) { coder.learn($0.event) }
      var buffer = ""
      try StateQuery.includedEvents(store, point, bound: bound) { recorded in
        guard let act = coder.code(recorded.event) else { return }
        switch format {
        case .gdelt: buffer += GDELTWriter.rows(recorded, act)
        case .plover: if let line = PLOVERWriter.record(recorded, act) { buffer += line + "\n" }
        }
        if buffer.utf8.count > 1 << 20 {
          write(Array(buffer.utf8))
          buffer = ""
        }
      }
      if !buffer.isEmpty { write(Array(buffer.utf8)) }
    }
  }
}

/// The event-data layouts `meetlog export --format` writes besides its own NDJSON.
public enum EventDataFormat: String, Sendable, CaseIterable {
  case gdelt, plover
}
