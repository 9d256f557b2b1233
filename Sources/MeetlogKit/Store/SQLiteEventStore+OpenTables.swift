/// The `open_tables` table: the store's snapshot's table of its open items
/// (`OpenTablePart`), in a table of its own so that reading it walks no other part's
/// pages (a column after `open_items` sat behind 20 MB of overflow pages on a
/// million-event log, each visited to reach it: 9.5 ms against 5.5 for the table alone).
///
/// A row names its snapshot by id, bound, cut and creation time, all four: a meetlog
/// from before this table replaces the snapshot without removing the row, and a new
/// snapshot may get the old one's id.
extension SQLiteEventStore {
  static let openTablesTable = """
    CREATE TABLE IF NOT EXISTS open_tables(
      snapshot_id INTEGER PRIMARY KEY,
      seq_bound INTEGER NOT NULL,
      cut_us INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      value BLOB NOT NULL
    ) STRICT
    """

  /// Replaces the stored table by `value` of the snapshot just inserted (none: no row),
  /// inside the caller's transaction.
  func storeOpenTable(_ value: [UInt8]?, snapshotId: Int64) throws(SQLiteError) {
    try connection.execute(Self.openTablesTable)
    try connection.execute("DELETE FROM open_tables")
    guard let value else { return }
    let insert = try connection.prepare(
      """
      INSERT INTO open_tables(snapshot_id, seq_bound, cut_us, created_at, value)
        SELECT id, seq_bound, cut_us, created_at, ? FROM snapshots WHERE id = ?
      """)
    try insert.bind(1, value)
    try insert.bind(2, snapshotId)
    try insert.run()
  }

  /// The table of `snapshot`'s open items, not yet hashed (`OpenTablePart.table`); nil
  /// when it has none (written by an earlier meetlog, or nothing was open), or it is in
  /// another version's layout or its header is damaged.
  func storedOpenTable(_ snapshot: SnapshotInfo) throws(MeetlogError) -> OpenTablePart.Table? {
    try storedOpenTableValue(snapshot).flatMap(OpenTablePart.table)
  }

  /// The stored value of `snapshot`'s table, as stored; nil when it has none.
  func storedOpenTableValue(_ snapshot: SnapshotInfo) throws(MeetlogError) -> [UInt8]? {
    try translate { () throws(SQLiteError) -> [UInt8]? in
      guard try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'open_tables'") > 0,
        try connection.scalar(
          """
          SELECT count(*) FROM open_tables t JOIN snapshots s ON s.id = t.snapshot_id AND s.seq_bound = t.seq_bound
            AND s.cut_us = t.cut_us AND s.created_at = t.created_at WHERE t.snapshot_id = \(snapshot.id)
          """) > 0
      else { return nil }
      // Read straight into an array of ours by incremental reads.
      let blob = try SQLiteBlob(connection: connection, table: "open_tables", column: "value", rowid: snapshot.id)
      var failure: SQLiteError?
      let value = [UInt8](unsafeUninitializedCapacity: blob.count) { buffer, initialized in
        do throws(SQLiteError) {
          try blob.read(into: UnsafeMutableRawBufferPointer(buffer), at: 0)
          initialized = buffer.count
        } catch {
          failure = error
          initialized = 0
        }
      }
      if let failure { throw failure }
      return value
    }
  }
}
