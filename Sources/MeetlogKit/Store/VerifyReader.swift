/// The reading stage of `verify`: steps the events in seq order, decompresses each
/// payload and checks its hash link (from the stored hash of the row before), and deals
/// the rows out in batches, in turn, to the `VerifyRowChecker`s, which decode them.
///
/// It is used by one thread at a time: the reader thread until it has finished. That is
/// why it may be sent across threads although the statements and the codec are not
/// thread-safe.
final class VerifyReader: @unchecked Sendable {
  /// One row as read: its columns, whether its stored hash is the link from the row
  /// before, and its canonical bytes (in `Batch.bytes`) or why there are none.
  struct ReadRow {
    var seq: Int64
    var typeColumn: Int64
    var occurredColumn: Int64
    var linked: Bool
    /// Why the payload did not decompress (its bytes are then empty).
    var failure: String?
    /// Where its canonical bytes end in `Batch.bytes`.
    var end: Int
  }

  /// A batch of read rows, their canonical bytes one after another.
  struct ReadBatch {
    var rows: [ReadRow] = []
    var bytes: [UInt8] = []

    /// Each row with its canonical bytes.
    func forEach(_ body: (ReadRow, UnsafeBufferPointer<UInt8>) -> Void) {
      bytes.withUnsafeBufferPointer { all in
        var start = 0
        for row in rows {
          body(row, UnsafeBufferPointer(rebasing: all[start..<row.end]))
          start = row.end
        }
      }
    }
  }

  /// What the reader hands over: read rows, or where reading stopped in a damaged file.
  enum Batch {
    case rows(ReadBatch)
    case damaged(message: String)
  }

  private let statement: SQLiteStatement
  private let commits: CommitCursor
  private let codec: PayloadCodec
  /// Where every batch is also lent to the snapshot check.
  private let shared: SharedPayloads?
  /// The stored hash of the last row read, once `read` has returned.
  private(set) var lastStoredHash = HashChain.genesis

  init(statement: SQLiteStatement, commits: CommitCursor, codec: PayloadCodec, shared: SharedPayloads? = nil) {
    self.statement = statement
    self.commits = commits
    self.codec = codec
    self.shared = shared
  }

  static let batchSize = 256

  /// Reads every row, dealing the batches to `lanes` in turn (the first to lane 0),
  /// then finishes every lane.
  func read(into lanes: [HandOff<Batch>]) {
    var dealt = 0
    func put(_ batch: Batch) {
      if case .rows(let rows) = batch { shared?.deposit(rows) }
      lanes[dealt % lanes.count].put(batch)
      dealt += 1
    }
    defer {
      shared?.finish()
      for lane in lanes { lane.finish() }
    }
    var previousHash = HashChain.genesis
    defer { lastStoredHash = previousHash }
    var batch = ReadBatch()
    var canonical: [UInt8] = []
    while true {
      let recordedAt: Timestamp
      do {
        guard try statement.step() else { break }
        recordedAt = try commits.recordedAt(seq: statement.int64(0))
      } catch {
        if !batch.rows.isEmpty { put(.rows(batch)) }
        put(.damaged(message: "the database file is damaged at or after this seq: \(error.message)"))
        return
      }
      let seq = statement.int64(0)
      var row = ReadRow(
        seq: seq, typeColumn: statement.int64(1), occurredColumn: statement.int64(2), linked: false, failure: nil, end: 0)
      do {
        let size = try statement.withBlob(4) { (raw) throws(StoredEventError) in
          try codec.canonicalBytes(dictId: statement.int64(3), payload: raw, into: &canonical)
        }
        canonical.withUnsafeBufferPointer { bytes in
          let payload = UnsafeBufferPointer(rebasing: bytes[..<size])
          row.linked = statement.withBlob(5) { stored in
            previousHash.withUnsafeBytes { previous in
              HashChain.isLink(stored, previous: previous, seq: seq, recordedAt: recordedAt.text, canonical: payload)
            }
          }
          batch.bytes.append(contentsOf: payload)
        }
      } catch {
        row.failure = error.message
      }
      row.end = batch.bytes.count
      batch.rows.append(row)
      // The stored hash, for the next row's link (into the same buffer while it is 32 bytes).
      statement.withBlob(5) { stored in
        if stored.count == previousHash.count {
          previousHash.withUnsafeMutableBytes { $0.copyMemory(from: stored) }
        } else {
          previousHash = Array(stored)
        }
      }
      if batch.rows.count >= Self.batchSize {
        put(.rows(batch))
        batch = ReadBatch()
      }
    }
    if !batch.rows.isEmpty { put(.rows(batch)) }
  }
}
