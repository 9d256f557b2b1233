/// The reading stage of `verify`: steps the events in seq order, decompresses each
/// payload and checks its hash link, and deals the rows out in batches, in turn, to the
/// `VerifyRowChecker`s, which decode them.
///
/// A link is computed from the whole link of the row before: the stored one when that
/// row stores it whole (a commit's last event, and every event of a format-2 store),
/// else the one computed for it. When an event's stored prefix does not match, the next
/// event tells why: if it matches, only the stored prefix was wrong; if not, the event
/// itself changed, and the events after it up to the next whole link cannot be checked
/// by the chain (`LinkCheck.unchecked`); it resumes from that link.
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
    var link: LinkCheck
    /// It ends a commit and stores only a prefix of its link.
    var partOfLastLink = false
    /// Why the payload did not decompress (its bytes are then empty).
    var failure: String?
    /// Where its canonical bytes end in `Batch.bytes`.
    var end: Int
  }

  /// What the hash chain says of a row.
  enum LinkCheck {
    case matches
    case mismatch
    /// The chain broke at an event before it, and it stores only a prefix.
    case unchecked
  }

  /// Whether the link the next row is computed from is known good (`trusted`), is the
  /// one computed for a row whose stored prefix did not match (`suspect`), or is not
  /// known (`broken`).
  private enum ChainState {
    case trusted, suspect, broken
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
  /// The stored hash of the last row read, once `read` has returned (a commit's last
  /// row: it should be the whole link).
  private(set) var lastStoredHash = HashChain.genesis

  /// A head hash kept elsewhere (`verify --expect-head`), and the seq whose link it is,
  /// once `read` has returned.
  private let expectHead: [UInt8]?
  private(set) var expectedHeadSeq: Int64?

  init(
    statement: SQLiteStatement, commits: CommitCursor, codec: PayloadCodec, shared: SharedPayloads? = nil, expectHead: [UInt8]? = nil
  ) {
    self.expectHead = expectHead
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
    // The link the next row is computed from, and the one computed for this row.
    var previous = HashChain.genesis
    var computed = HashChain.genesis
    var chain = ChainState.trusted
    /// The row's stored hash, copied once (its whole link or a prefix); a whole one is
    /// then swapped into `previous`.
    var stored: [UInt8] = []
    stored.reserveCapacity(32)
    var lastWhole = false
    defer { lastStoredHash = lastWhole ? previous : stored }
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
        seq: seq, typeColumn: statement.int64(1), occurredColumn: statement.int64(2), link: .unchecked, failure: nil, end: 0)
      statement.withBlob(5) { raw in
        stored.removeAll(keepingCapacity: true)
        stored.append(contentsOf: raw)
      }
      let whole = stored.count == 32
      lastWhole = whole
      row.partOfLastLink = !whole && commits.endsCommit(seq: seq)
      do {
        let size = try statement.withBlob(4) { (raw) throws(StoredEventError) in
          try codec.canonicalBytes(dictId: statement.int64(3), payload: raw, into: &canonical)
        }
        canonical.withUnsafeBufferPointer { bytes in
          let payload = UnsafeBufferPointer(rebasing: bytes[..<size])
          if chain != .broken {
            let matches = stored.withUnsafeBytes { stored in
              previous.withUnsafeBytes { previous in
                computed.withUnsafeMutableBytes { link in
                  HashChain.isLink(stored, previous: previous, seq: seq, recordedAt: recordedAt.text, canonical: payload, computing: link)
                }
              }
            }
            if matches, let expectHead, computed == expectHead { expectedHeadSeq = seq }
            switch chain {
            case .trusted:
              row.link = matches ? .matches : .mismatch
              if !matches { chain = .suspect }
            case .suspect:
              // The row before differed; this one matching its computed link says that
              // only its stored prefix was wrong.
              row.link = matches ? .matches : .unchecked
              chain = matches ? .trusted : .broken
            case .broken:
              break
            }
          }
          batch.bytes.append(contentsOf: payload)
        }
      } catch {
        row.failure = error.message
        chain = .broken
      }
      row.end = batch.bytes.count
      batch.rows.append(row)
      // The next row is computed from this one's whole link: as stored when it is, else
      // as computed. A stored whole link is where a broken chain resumes.
      if whole {
        swap(&previous, &stored)
        chain = .trusted
      } else {
        swap(&previous, &computed)
      }
      if batch.rows.count >= Self.batchSize {
        put(.rows(batch))
        batch = ReadBatch()
      }
    }
    if !batch.rows.isEmpty { put(.rows(batch)) }
  }
}
