import Synchronization

/// An event checked and chained, waiting to be compressed and inserted, with the index
/// rows it adds.
struct StagedRow {
  var seq: Int64
  var type: Int64
  var occurredMicros: Int64
  var idKey: Int64
  var canonical: [UInt8]
  /// The whole chain link; only a commit's last row stores all of it (`HashChain`).
  var hash: [UInt8]
  var endsCommit = false
  var recordedMicros: Int64
  var recordedText: String?
  /// The `names` key of the meeting or item it defines.
  var nameKey: Int64?
  /// The item it resolves (its pledge's seq).
  var resolvesItemSeq: Int64?
  /// The event it retracts, and whether that event is a resolution (whose row goes).
  var retractsSeq: Int64?
  var retractsResolution = false
  /// The stored form, when the checking thread compressed it (else the writer does).
  var payload: [UInt8]?
}

/// Compresses staged rows and inserts them with their index rows, through the append's
/// connection: on the appending thread for a small batch, on a `RowWriter`'s thread for
/// a large one. Used by one thread at a time.
final class RowInserter: @unchecked Sendable {
  private let path: String
  private let compressor: ZstdCompressor
  private let dictId: Int64
  /// The recorded time of the last commit row, to insert one only where it changes.
  private var commit: (micros: Int64, text: String?)?
  private let insertEvent: SQLiteStatement
  private let insertId: SQLiteStatement
  private let insertCommit: SQLiteStatement
  private let insertName: SQLiteStatement
  private let insertRetraction: SQLiteStatement
  private let insertResolution: SQLiteStatement
  private let deleteResolution: SQLiteStatement

  /// `forAnotherThread`: for a `RowWriter`'s thread, with a compressor of its own.
  init(store: SQLiteEventStore, dictId: Int64, forAnotherThread: Bool) throws(MeetlogError) {
    path = store.path
    self.dictId = dictId
    do { compressor = try store.codec.compressor(dictId: dictId, forAnotherThread: forAnotherThread) } catch {
      throw MeetlogError(.io, "\(store.path): \(error.message) (run meetlog verify)")
    }
    let c = store.connection
    (insertEvent, insertId, insertCommit, insertName, insertRetraction, insertResolution, deleteResolution) = try store.translate {
      () throws(SQLiteError) in
      (
        try c.cached("INSERT INTO events(seq, type, occurred_us, dict_id, payload, hash) VALUES (?,?,?,?,?,?)"),
        try c.cached("INSERT INTO ids(key, seq) VALUES (?, ?)"),
        try c.cached("INSERT INTO commits(first_seq, recorded_us, recorded_at) VALUES (?, ?, ?)"),
        try c.cached("INSERT INTO names(key, seq) VALUES (?, ?)"),
        try c.cached("INSERT INTO retractions(target_seq, seq) VALUES (?, ?)"),
        try c.cached("INSERT INTO resolutions(item_seq, seq) VALUES (?, ?)"),
        try c.cached("DELETE FROM resolutions WHERE seq = ?")
      )
    }
  }

  /// Compresses a run of rows and inserts them in order, with a commit row where the
  /// recorded time changes.
  func write(_ rows: [StagedRow]) throws(MeetlogError) {
    let payloads = rows.map { $0.payload ?? compressor.compress($0.canonical) }
    /// One row, passed borrowed: iterating `zip(rows, payloads)` copied each row,
    /// retaining and releasing its arrays and text.
    func insert(_ row: StagedRow, _ payload: [UInt8]) throws(SQLiteError) {
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
      try insertEvent.bind(6, row.hash, count: row.endsCommit ? nil : HashChain.storedPrefix)
      try insertEvent.run()
      try pair(insertId, row.idKey, row.seq)
      if let key = row.nameKey { try pair(insertName, key, row.seq) }
      if let item = row.resolvesItemSeq { try pair(insertResolution, item, row.seq) }
      if let target = row.retractsSeq {
        try pair(insertRetraction, target, row.seq)
        if row.retractsResolution {
          try deleteResolution.bind(1, target)
          try deleteResolution.run()
        }
      }
    }
    try SQLiteEventStore.translate(path) { () throws(SQLiteError) in
      for i in rows.indices { try insert(rows[i], payloads[i]) }
    }
  }

  /// A compressor for another thread that makes the payloads this one makes.
  func compressorForAnotherThread() -> ZstdCompressor { ZstdCompressor(sharingDictionaryOf: compressor) }

  private func pair(_ statement: SQLiteStatement, _ a: Int64, _ b: Int64) throws(SQLiteError) {
    try statement.bind(1, a)
    try statement.bind(2, b)
    try statement.run()
  }
}

/// Writes runs of staged rows on a second thread while the append checks and chains the
/// next run on the first, so training the batch's dictionary, compressing and inserting
/// (about two fifths of a large append) overlap the checks instead of adding to them.
/// Splitting each run's compression across both threads, with the append waiting for
/// it, gained nothing (session 6); here the append waits only when two runs are
/// outstanding, and compresses some runs itself (`compressorForCaller`) before handing
/// them over, since the writer became the busier thread (session 9).
///
/// `prepare` makes the inserter (training and storing a dictionary first, when the
/// batch needs one); `submit` hands a run over; `waitForOldest` returns once the oldest
/// run submitted is written, or throws what preparing or writing threw (the runs after a
/// failure are not written, and throw the same). The connection belongs to the thread
/// while it prepares and while a run is outstanding; once `waitForOldest` has returned
/// for every run submitted, the caller may use it again.
final class RowWriter: @unchecked Sendable {
  private let runs = HandOff<[StagedRow]>(capacity: Int.max)
  private let written = HandOff<MeetlogError?>(capacity: Int.max)
  private let published = Publication()
  /// Runs submitted to the thread and not yet written.
  private let unwritten = Counter()
  private var thread: BackgroundThread?
  /// The inserter and the first failure when writing on the caller's thread.
  private var inserter: RowInserter?
  private var failure: MeetlogError?

  /// With `onThread` false (a small batch), or when no thread can start, `prepare` runs
  /// at once and `submit` writes on the caller's thread.
  init(onThread: Bool, prepare: @escaping () throws(MeetlogError) -> RowInserter) {
    nonisolated(unsafe) let prepare = prepare
    if onThread {
      thread = BackgroundThread { [runs, written, published, unwritten] in
        var inserter: RowInserter?
        var failure: MeetlogError?
        do throws(MeetlogError) { inserter = try prepare() } catch { failure = error }
        if let inserter { published.publish(inserter.compressorForAnotherThread()) }
        while let run = runs.take() {
          if failure == nil {
            do throws(MeetlogError) { try inserter!.write(run) } catch { failure = error }
          }
          unwritten.subtract(1)
          written.put(failure)
        }
        written.finish()
      }
    }
    if thread == nil {
      do throws(MeetlogError) { inserter = try prepare() } catch { failure = error }
    }
  }

  /// Once the thread has prepared (trained and stored the batch's dictionary), a
  /// compressor for the caller's thread that makes the payloads the thread would; nil
  /// before then, and on the caller's own thread.
  var compressorForCaller: ZstdCompressor? { published.value }

  /// Whether the thread is still writing a run submitted before: it is behind.
  var isBehind: Bool { unwritten.value > 0 }

  func submit(_ run: [StagedRow]) {
    guard thread == nil else {
      unwritten.add(1)
      return runs.put(run)
    }
    if failure == nil {
      do throws(MeetlogError) { try inserter!.write(run) } catch { failure = error }
    }
    written.put(failure)
  }

  func waitForOldest() throws(MeetlogError) {
    guard let outcome = written.take() else { preconditionFailure("RowWriter.waitForOldest without a run submitted") }
    if let outcome { throw outcome }
  }

  /// Ends the thread once it has written what was submitted.
  func stop() {
    runs.finish()
    thread?.join()
    thread = nil
  }

  deinit { stop() }
}

/// A value one thread sets once and another reads when it is there, without waiting.
private final class Publication: @unchecked Sendable {
  private let ready = Atomic<Bool>(false)
  private var stored: ZstdCompressor?

  func publish(_ value: ZstdCompressor) {
    stored = value
    ready.store(true, ordering: .releasing)
  }

  var value: ZstdCompressor? { ready.load(ordering: .acquiring) ? stored : nil }
}

/// A count two threads change.
private final class Counter: Sendable {
  private let count = Atomic<Int>(0)

  func add(_ n: Int) { count.add(n, ordering: .relaxed) }
  func subtract(_ n: Int) { count.subtract(n, ordering: .relaxed) }
  var value: Int { count.load(ordering: .relaxed) }
}
