/// What the log held when an append's transaction began, read from the index tables and
/// payloads: the part of the reference rules' questions the batch itself cannot answer.
///
/// While a large batch's rows are written on a second thread, the write connection
/// belongs to that thread, so these reads go through a connection of their own, in one
/// read transaction: in WAL mode it sees exactly the log as committed before the batch
/// (the batch's transaction holds the write lock, so nothing commits in between).
final class CommittedIndex {
  let path: String
  /// The store whose connection these reads use, kept open while they are.
  private let owner: SQLiteEventStore
  private let ownsTransaction: Bool
  private let payloadBySeq: SQLiteStatement
  private let idLookup: SQLiteStatement
  private let nameLookup: SQLiteStatement
  private let selectRetraction: SQLiteStatement
  private let selectResolution: SQLiteStatement
  private let resolvedItem: SQLiteStatement

  /// Reads through `store`'s own connection; with `separately`, through a new one.
  init(store: SQLiteEventStore, separately: Bool) throws(MeetlogError) {
    path = store.path
    owner = separately ? try SQLiteEventStore(path: store.path, mode: .read) : store
    ownsTransaction = separately
    let c = owner.connection
    (payloadBySeq, idLookup, nameLookup, selectRetraction, selectResolution, resolvedItem) = try owner.translate {
      () throws(SQLiteError) in
      if separately {
        try c.execute("BEGIN DEFERRED")
        // The read transaction's snapshot starts with its first read.
        _ = try c.scalar("SELECT count(*) FROM commits WHERE first_seq = 1")
      }
      return (
        try c.cached("SELECT dict_id, payload FROM events WHERE seq = ?"),
        try c.cached("SELECT seq FROM ids WHERE key = ? ORDER BY seq"),
        try c.cached("SELECT seq FROM names WHERE key = ? ORDER BY seq DESC"),
        try c.cached("SELECT seq FROM retractions WHERE target_seq = ?"),
        try c.cached("SELECT seq FROM resolutions WHERE item_seq = ?"),
        try c.cached("SELECT item_seq FROM resolutions WHERE seq = ?")
      )
    }
  }

  deinit {
    if ownsTransaction {
      owner.connection.resetCached()
      try? owner.connection.execute("COMMIT")
    }
  }

  private func sql<R>(_ body: () throws(SQLiteError) -> R) throws(MeetlogError) -> R {
    try owner.translate(body)
  }

  /// The canonical bytes stored at `seq`, decompressed.
  func canonical(seq: Int64) throws(MeetlogError) -> [UInt8]? {
    let found = try sql { () throws(SQLiteError) -> Bool in
      try payloadBySeq.bind(1, seq)
      return try payloadBySeq.step()
    }
    defer { payloadBySeq.reset() }
    guard found else { return nil }
    do {
      return try payloadBySeq.withBlob(1) { (raw) throws(StoredEventError) in
        try owner.codec.canonicalBytes(dictId: payloadBySeq.int64(0), payload: raw)
      }
    } catch {
      throw MeetlogError(.io, "\(path): seq \(seq): \(error.message) (run meetlog verify)")
    }
  }

  /// The id, type, time and defined name of the event stored at `seq`.
  func header(seq: Int64) throws(MeetlogError) -> StoredHeader? {
    guard let canonical = try canonical(seq: seq) else { return nil }
    do { return try StoredHeader.read(canonical) } catch {
      throw MeetlogError(.io, "\(path): seq \(seq): \(error.message) (run meetlog verify)")
    }
  }

  /// The seqs the `ids` table holds under an id's key, in seq order.
  func seqs(idKey: Int64) throws(MeetlogError) -> [Int64] { try column(idLookup, key: idKey) }

  /// The seqs the `names` table holds under a name's key, newest first.
  func seqs(nameKey: Int64) throws(MeetlogError) -> [Int64] { try column(nameLookup, key: nameKey) }

  func isRetracted(seq: Int64) throws(MeetlogError) -> Bool { try !column(selectRetraction, key: seq).isEmpty }

  /// The seq of the resolution of the item pledged at `itemSeq`.
  func resolution(itemSeq: Int64) throws(MeetlogError) -> Int64? { try column(selectResolution, key: itemSeq).first }

  /// The item that the resolution at `seq` resolves.
  func item(resolvedBy seq: Int64) throws(MeetlogError) -> Int64? { try column(resolvedItem, key: seq).first }

  private func column(_ statement: SQLiteStatement, key: Int64) throws(MeetlogError) -> [Int64] {
    try sql { () throws(SQLiteError) -> [Int64] in
      defer { statement.reset() }
      try statement.bind(1, key)
      var values: [Int64] = []
      while try statement.step() { values.append(statement.int64(0)) }
      return values
    }
  }
}
