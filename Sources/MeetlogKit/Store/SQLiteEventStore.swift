#if canImport(Glibc)
  import Glibc
#endif

/// The SQLite implementation of `EventStore`: one file in WAL mode, each payload a zstd
/// frame of the canonical event, `seq` as the rowid, the envelope as plain columns so a
/// point in time is a `WHERE`.
public final class SQLiteEventStore: EventStore {
  /// How long a writer waits for a busy store before exit 75: 10 s, or
  /// `MEETLOG_BUSY_TIMEOUT_MS` milliseconds.
  public static let busyTimeoutMilliseconds: Int32 = {
    if let text = FileIO.environment("MEETLOG_BUSY_TIMEOUT_MS"), let ms = Int32(text), ms >= 0 { return ms }
    return 10_000
  }()

  let connection: SQLiteConnection
  let codec: PayloadCodec
  public let path: String
  /// Shown how far appending, importing, verifying and replaying got (a progress line).
  public var progress: ProgressObserver?
  /// How many bytes of payloads `verify`'s pass may lend its snapshot check
  /// (`SharedPayloads`); tests lower it to make the check read them itself.
  var verifyLendingLimit = 64 << 20
  /// The fold's view of the last append, when it wrote the whole log (a large first
  /// append): the snapshot written next folds it instead of reading the log back.
  var appendedFold: AppendedFold?
  /// The snapshot a large first append folded while its last rows were written, for
  /// the snapshot written next.
  var preparedSnapshot: PreparedSnapshot?
  /// How many events the log grows by before `maintainSnapshot` writes a snapshot, and
  /// its checkpoints' spacing: `snapshotInterval` and `checkpointInterval` (tests
  /// change them).
  var snapshotEvery = SQLiteEventStore.snapshotInterval
  var checkpointEvery = SQLiteEventStore.checkpointInterval
  /// The format the store is in: 2 (every event stores its whole hash link) is read as
  /// it is and becomes 3 with the first append (`upgradeFormat`).
  var storeFormat = Int64(StoreSchema.formatVersion)
  /// `retraction(of:)`'s statement, prepared on first use.
  private var retractionLookup: SQLiteStatement?

  public enum OpenMode: Sendable {
    /// Reading commands: the store must exist.
    case read
    /// Appending to an existing or new store (created when missing).
    case write
    /// `init`: the store must not exist yet.
    case create
  }

  /// True when `path` names an existing file.
  public static func exists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
  }

  public init(path: String, mode: OpenMode) throws(MeetlogError) {
    self.path = path
    let existed = Self.exists(path)
    switch mode {
    case .read where !existed:
      throw MeetlogError(.missing, "\(path): no store here (create one with `meetlog init` or `meetlog append`)")
    case .create where existed:
      throw MeetlogError(.usage, "\(path): a file already exists; meetlog init creates a new store only")
    default: break
    }
    if mode != .read, path != ":memory:", let reason = Self.unwritableReason(path, existing: existed) {
      throw MeetlogError(.io, "\(path): the store is read-only (\(reason)): nothing was written")
    }
    do {
      if mode == .read {
        connection = try Self.openForReading(path)
      } else {
        connection = try SQLiteConnection(path: path, readOnly: false, create: !existed)
      }
    } catch {
      if error.isCannotOpen || error.isReadOnly {
        throw MeetlogError(.io, "\(path): cannot open the store for \(mode == .read ? "reading" : "writing"): \(error.message)")
      }
      if error.isNotADatabase { throw MeetlogError(.damaged, "\(path): not a meetlog store, or a damaged one: \(error.message)") }
      throw MeetlogError(.io, "\(path): \(error.message)")
    }
    connection.setBusyTimeout(milliseconds: Self.busyTimeoutMilliseconds)
    codec = PayloadCodec(connection: connection)
    // While another process creates the store, SQLite may answer BUSY at once (a lock
    // upgrade that its busy handler cannot wait for): retry with backoff, bounded.
    try Self.translate(path) { () throws(SQLiteError) in
      try Self.retryingWhileBusy { () throws(SQLiteError) in
        if !existed {
          try createSchema()
        } else {
          try checkFormat(mayCreate: mode != .read)
        }
      }
      if mode != .read { try connection.execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF;") }
    }
  }

  /// Runs `body` again while it fails with SQLITE_BUSY, sleeping 1, 2, 4 … 100 ms,
  /// until the busy timeout has passed.
  static func retryingWhileBusy(_ body: () throws(SQLiteError) -> Void) throws(SQLiteError) {
    var waited: Int32 = 0
    var pause: Int32 = 1
    while true {
      do {
        return try body()
      } catch {
        guard error.isBusy, waited < busyTimeoutMilliseconds else { throw error }
        usleep(UInt32(pause) * 1000)
        waited += pause
        pause = min(pause * 2, 100)
      }
    }
  }

  /// Opens a store for reading. Where the file and its folder are writable, as a normal
  /// connection (that only reads), so the WAL and its index work as for any reader. On
  /// read-only media, where SQLite cannot create the WAL index, read-only and, failing
  /// that, as an immutable file (nothing can change it there).
  static func openForReading(_ path: String) throws(SQLiteError) -> SQLiteConnection {
    if unwritableReason(path, existing: true) == nil {
      return try SQLiteConnection(path: path, readOnly: false, create: false)
    }
    do {
      let connection = try SQLiteConnection(path: path, readOnly: true, create: false)
      _ = try connection.scalar("SELECT count(*) FROM sqlite_master")
      return connection
    } catch {
      guard error.isCannotOpen || error.isReadOnly else { throw error }
      return try SQLiteConnection(path: path, readOnly: true, create: false, immutable: true)
    }
  }

  private func createSchema() throws(SQLiteError) {
    try connection.execute("PRAGMA journal_mode = WAL")
    try connection.execute("BEGIN IMMEDIATE")
    do {
      // Another process may have created the store between our check and our lock.
      if try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'events'") > 0 {
        try connection.execute("COMMIT")
        try checkFormat(mayCreate: false)
        return
      }
      try connection.execute(StoreSchema.create)
      try connection.execute("PRAGMA application_id = \(StoreSchema.applicationId); PRAGMA user_version = \(StoreSchema.formatVersion)")
      let insert = try connection.prepare("INSERT INTO meta(key, value) VALUES (?, ?)")
      for (key, value) in [
        ("format_version", String(StoreSchema.formatVersion)), ("created_by", "meetlog"),
        ("hash_chain", "sha256(prev || seq_be64 || recorded_at || LF || canonical)"),
        ("payload", "zstd frame of the canonical event JSON; dict_id 0: standard frame, n: lean frame with dictionaries.id n"),
      ] {
        try insert.bind(1, key)
        try insert.bind(2, value)
        try insert.run()
      }
      try connection.execute("COMMIT")
    } catch {
      try? connection.execute("ROLLBACK")
      throw error
    }
  }

  /// Checks that the file is a meetlog store this version can read. An empty database
  /// is one another process is creating right now: with `mayCreate`, join it.
  private func checkFormat(mayCreate: Bool) throws(SQLiteError) {
    let version = try connection.scalar("PRAGMA user_version")
    let applicationId = try connection.scalar("PRAGMA application_id")
    if mayCreate && applicationId == 0 && version == 0 {
      if try connection.scalar("SELECT count(*) FROM sqlite_master") == 0 {
        try createSchema()
        return
      }
    }
    if applicationId != Int64(StoreSchema.applicationId) {
      throw SQLiteError(code: 26, message: "application_id is \(applicationId), not meetlog's", sql: nil)
    }
    if version > Int64(StoreSchema.formatVersion) {
      throw SQLiteError(
        code: 0x10000,
        message:
          "written by a newer meetlog (store format \(version); this meetlog reads format \(StoreSchema.formatVersion)): upgrade meetlog",
        sql: nil)
    }
    storeFormat = version
    if version < Int64(StoreSchema.oldestReadableFormat) {
      throw SQLiteError(
        code: 0x10000,
        message:
          "store format \(version) is a development format this meetlog no longer reads (it reads formats \(StoreSchema.oldestReadableFormat) to \(StoreSchema.formatVersion)): export it with the meetlog that wrote it and import the export into a new store",
        sql: nil)
    }
  }

  /// Within a write transaction, marks a format-2 store as format 3 before rows with
  /// a link prefix go in: a meetlog that reads only format 2 then refuses it instead of
  /// reporting every prefix as a damaged hash. Nothing else differs: a format-2 store's
  /// whole links are valid in format 3.
  func upgradeFormat() throws(SQLiteError) {
    guard storeFormat < Int64(StoreSchema.formatVersion) else { return }
    try connection.execute(
      "PRAGMA user_version = \(StoreSchema.formatVersion); UPDATE meta SET value = '\(StoreSchema.formatVersion)' WHERE key = 'format_version'"
    )
  }

  /// Runs `body`, turning SQLite errors into `MeetlogError` with the SPEC's exit codes.
  static func translate<R>(_ path: String, _ body: () throws(SQLiteError) -> R) throws(MeetlogError) -> R {
    do {
      return try body()
    } catch {
      if error.code == 0x10000 { throw MeetlogError(.io, "\(path): \(error.message)") }
      if error.isBusy {
        throw MeetlogError(
          .conflict,
          "\(path): the store stayed busy for \(formatDecimal2(Double(busyTimeoutMilliseconds) / 1000)) s (another process is writing): nothing was appended; retry"
        )
      }
      if error.isNotADatabase { throw MeetlogError(.damaged, "\(path): not a meetlog store, or a damaged one: \(error.message)") }
      if error.isReadOnly { throw MeetlogError(.io, "\(path): the store is read-only: \(error.message)") }
      if error.isFull { throw MeetlogError(.io, "\(path): the disk is full: nothing was written") }
      if error.isIOError { throw MeetlogError(.io, "\(path): I/O error (\(error.message)): nothing was written") }
      throw MeetlogError(.io, "\(path): \(error.message)")
    }
  }

  func translate<R>(_ body: () throws(SQLiteError) -> R) throws(MeetlogError) -> R {
    try Self.translate(path, body)
  }

  /// Runs `body` inside one read transaction: in WAL mode every query in it sees the
  /// same snapshot of the log, whatever writers commit meanwhile.
  public func readSnapshot<R>(_ body: () throws(MeetlogError) -> R) throws(MeetlogError) -> R {
    try translate { () throws(SQLiteError) in try connection.execute("BEGIN DEFERRED") }
    defer { try? connection.execute("COMMIT") }
    return try body()
  }

  public func head() throws(MeetlogError) -> StoreHead {
    try translate { () throws(SQLiteError) in try readHead() }
  }

  func readHead() throws(SQLiteError) -> StoreHead {
    let statement = try connection.cached("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
    defer { statement.reset() }
    guard try statement.step() else { return StoreHead(seq: 0, hash: HashChain.genesis, recordedMicros: Int64.min) }
    let recorded = try connection.cached("SELECT recorded_us FROM commits ORDER BY first_seq DESC LIMIT 1")
    defer { recorded.reset() }
    let recordedMicros = try recorded.step() ? recorded.int64(0) : Int64.min
    return StoreHead(seq: statement.int64(0), hash: statement.blob(1), recordedMicros: recordedMicros)
  }

  public func lastSeq(recordedAtMost micros: Int64) throws(MeetlogError) -> Int64 {
    // recorded_us never decreases along seq: the answer is the seq before the first
    // commit recorded later.
    try translate { () throws(SQLiteError) in
      let statement = try connection.prepare("SELECT min(first_seq) FROM commits WHERE recorded_us > ?")
      try statement.bind(1, micros)
      _ = try statement.step()
      if statement.isNull(0) { return try readHead().seq }
      return statement.int64(0) - 1
    }
  }

  public func retraction(of seq: Int64) throws(MeetlogError) -> Int64? {
    try translate { () throws(SQLiteError) in
      if retractionLookup == nil { retractionLookup = try connection.prepare("SELECT seq FROM retractions WHERE target_seq = ?") }
      let statement = retractionLookup!
      statement.reset()
      defer { statement.reset() }
      try statement.bind(1, seq)
      return try statement.step() ? statement.int64(0) : nil
    }
  }

  public func retractedSeqs(maxSeq: Int64) throws(MeetlogError) -> Set<Int64> {
    try translate { () throws(SQLiteError) in
      let statement = try connection.prepare("SELECT target_seq FROM retractions WHERE seq <= ?")
      try statement.bind(1, maxSeq)
      var seqs = Set<Int64>()
      while try statement.step() { seqs.insert(statement.int64(0)) }
      return seqs
    }
  }

  public func scan(_ query: EventQuery, _ body: (RecordedEvent) throws(MeetlogError) -> Bool) throws(MeetlogError) {
    let statement = try scanStatement(query)
    let commits = try translate { () throws(SQLiteError) in try CommitCursor(connection) }
    while try translate({ () throws(SQLiteError) in try statement.step() }) {
      let seq = statement.int64(0)
      let recordedAt = try translate { () throws(SQLiteError) in try commits.recordedAt(seq: seq) }
      let event: Event
      do {
        event = try statement.withBlob(2) { (raw) throws(StoredEventError) in
          try codec.event(dictId: statement.int64(1), payload: raw)
        }
      } catch {
        throw MeetlogError(.io, "\(path): seq \(seq): \(error.message) (run meetlog verify)")
      }
      if try !body(RecordedEvent(seq: seq, recordedAt: recordedAt, event: event)) { return }
    }
  }

  /// The current row's payload (its `dict_id` and `payload` columns) decompressed into
  /// `buffer`; its size. A payload that does not decompress is an error naming `seq`.
  func decompressedPayload(
    _ statement: SQLiteStatement, dictColumn: Int32, payloadColumn: Int32, seq: Int64, into buffer: inout [UInt8]
  ) throws(MeetlogError) -> Int {
    do {
      return try statement.withBlob(payloadColumn) { (raw) throws(StoredEventError) in
        try codec.canonicalBytes(dictId: statement.int64(dictColumn), payload: raw, into: &buffer)
      }
    } catch {
      throw MeetlogError(.io, "\(path): seq \(seq): \(error.message) (run meetlog verify)")
    }
  }

  /// Event `seq`'s canonical bytes, decompressed into `buffer` through `lookup` (a
  /// prepared `SELECT dict_id, payload FROM events WHERE seq = ?`); their size, or nil
  /// when no row has that seq.
  func canonicalBytes(seq: Int64, lookup: SQLiteStatement, into buffer: inout [UInt8]) throws(MeetlogError) -> Int? {
    let found = try translate { () throws(SQLiteError) -> Bool in
      lookup.reset()
      try lookup.bind(1, seq)
      return try lookup.step()
    }
    return found ? try decompressedPayload(lookup, dictColumn: 0, payloadColumn: 1, seq: seq, into: &buffer) : nil
  }

  public func scanCanonical(
    _ query: EventQuery, _ body: (Int64, UnsafeBufferPointer<UInt8>) throws(MeetlogError) -> Bool
  ) throws(MeetlogError) {
    let statement = try scanStatement(query)
    var buffer: [UInt8] = []
    while try translate({ () throws(SQLiteError) in try statement.step() }) {
      let seq = statement.int64(0)
      let count = try decompressedPayload(statement, dictColumn: 1, payloadColumn: 2, seq: seq, into: &buffer)
      let more = try buffer.withUnsafeBufferPointer { (all) throws(MeetlogError) in
        try body(seq, UnsafeBufferPointer(rebasing: all[0..<count]))
      }
      if !more { return }
    }
  }

  /// The statement that selects (seq, dict_id, payload) for a query, in its order.
  private func scanStatement(_ query: EventQuery) throws(MeetlogError) -> SQLiteStatement {
    var conditions: [String] = []
    var bindings: [Int64] = []
    if let v = query.maxSeq {
      conditions.append("seq <= ?")
      bindings.append(v)
    }
    if let v = query.minSeq {
      conditions.append("seq >= ?")
      bindings.append(v)
    }
    if let v = query.occurredAtMost {
      conditions.append("occurred_us <= ?")
      bindings.append(v)
    }
    if let v = query.occurredAtLeast {
      conditions.append("occurred_us >= ?")
      bindings.append(v)
    }
    // Type codes are small integers of our own, written into the SQL text.
    if let types = query.types {
      conditions.append("type IN (\(types.map { String(StoreSchema.typeCode($0)) }.sorted().joined(separator: ",")))")
    }
    if !query.excludedTypes.isEmpty {
      conditions.append("type NOT IN (\(query.excludedTypes.map { String(StoreSchema.typeCode($0)) }.sorted().joined(separator: ",")))")
    }
    var sql = "SELECT seq, dict_id, payload FROM events"
    if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
    sql += query.byOccurrence ? " ORDER BY occurred_us, seq" : " ORDER BY seq"
    let statement = try translate { () throws(SQLiteError) in try connection.prepare(sql) }
    try translate { () throws(SQLiteError) in
      var index: Int32 = 1
      for value in bindings {
        try statement.bind(index, value)
        index += 1
      }
    }
    return statement
  }

  public func stats() throws(MeetlogError) -> StoreStats {
    try translate { () throws(SQLiteError) in
      var counts: [EventType: Int64] = [:]
      let byType = try connection.prepare("SELECT type, count(*) FROM events GROUP BY type")
      while try byType.step() {
        if let type = StoreSchema.type(code: byType.int64(0)) { counts[type] = byType.int64(1) }
      }
      let sizes = try connection.prepare("SELECT count(*), coalesce(sum(length(payload)), 0) FROM events")
      _ = try sizes.step()
      let events = sizes.int64(0)
      let payloadBytes = sizes.int64(1)
      var rawBytes: Int64 = 0
      let payloads = try connection.prepare("SELECT dict_id, payload FROM events")
      while try payloads.step() {
        rawBytes += payloads.withBlob(1) { codec.contentSize(dictId: payloads.int64(0), payload: $0) }
      }
      let head = try readHead()
      let commits = try CommitCursor(connection)
      let first = events > 0 ? try commits.recordedAt(seq: 1).text : nil
      let last = events > 0 ? try commits.recordedAt(seq: head.seq).text : nil
      return StoreStats(
        events: events, lastSeq: head.seq, countsByType: counts,
        fileBytes: Self.fileSize(path) + Self.fileSize(path + "-wal"), payloadBytes: payloadBytes, rawBytes: rawBytes,
        headHash: head.hash, formatVersion: Int(storeFormat), firstRecordedAt: first, lastRecordedAt: last)
    }
  }

  /// Why the store file or its folder (where the WAL lives) cannot be written, if so.
  static func unwritableReason(_ path: String, existing: Bool) -> String? {
    var folder = path
    if let slash = path.lastIndex(of: "/") {
      folder = slash == path.startIndex ? "/" : String(path[..<slash])
    } else {
      folder = "."
    }
    for target in existing ? [path, folder] : [folder] where access(target, W_OK) != 0 {
      return "\(target == path ? "the file" : "its folder"): \(String(cString: strerror(errno)))"
    }
    return nil
  }

  static func fileSize(_ path: String) -> Int64 {
    var info = stat()
    guard stat(path, &info) == 0 else { return 0 }
    return Int64(info.st_size)
  }
}
