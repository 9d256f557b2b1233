/// Creating a store with its first events: built under a temporary name beside it and
/// linked into place once complete, so a first append that fails leaves no file.
///
/// The alternative, checking the events in memory before creating the file and then
/// appending them, did the checks twice: a sixth of a 100,000-event first append.
extension SQLiteEventStore {
  /// Runs `body` on a new store at a temporary path beside `path`, then links that file
  /// to `path` (`link(2)`: it never replaces a file) and syncs the folder. Returns nil,
  /// having removed the temporary store, when a file appeared at `path` meanwhile
  /// (another process created the store first): the caller appends to that one. When
  /// `body` throws, the temporary store is removed and the error names `path`.
  static func createLinked<R>(at path: String, _ body: (SQLiteEventStore) throws(MeetlogError) -> R) throws(MeetlogError) -> R? {
    let temporary = path + ".new-\(FileIO.processId)"
    removeStoreFiles(temporary)
    defer { removeStoreFiles(temporary) }
    let result: R
    do {
      let store = try SQLiteEventStore(path: temporary, mode: .write)
      try store.buildPrivately()
      result = try body(store)
      // The file must hold every page, on disk, before it is linked.
      try store.finishBuilding()
    } catch {
      throw MeetlogError(error.kind, error.message.replacingAll(temporary, with: path))
    }
    guard try FileIO.linkNew(temporary, as: path) else { return nil }
    return result
  }

  /// While no other process can see the file: pages are written once, straight into it,
  /// with the rollback journal in memory (a rollback still works) and no syncs. Through
  /// the WAL, a 100,000-event first append wrote every page twice (into the WAL, then,
  /// when emptying it, into the file) and synced at each step.
  private func buildPrivately() throws(MeetlogError) {
    try translate { () throws(SQLiteError) in
      _ = try connection.scalar("PRAGMA journal_mode = MEMORY")
      try connection.execute("PRAGMA synchronous = OFF")
    }
  }

  /// Back to the WAL and synced writes, every page in the file and the file on disk.
  private func finishBuilding() throws(MeetlogError) {
    try translate { () throws(SQLiteError) in
      let mode = try connection.prepare("PRAGMA journal_mode = WAL")
      guard try mode.step(), mode.text(0) == "wal" else { throw SQLiteError(code: 1, message: "the new store did not return to WAL mode") }
      try connection.execute("PRAGMA synchronous = FULL")
    }
    try checkpointAll()
    try FileIO.sync(path)
  }

  /// Copies every page of the WAL into the database file and truncates the WAL.
  private func checkpointAll() throws(MeetlogError) {
    let complete = try translate { () throws(SQLiteError) -> Bool in
      let statement = try connection.prepare("PRAGMA wal_checkpoint(TRUNCATE)")
      return try statement.step() && statement.int64(0) == 0
    }
    guard complete else { throw MeetlogError(.io, "\(path): the new store's WAL could not be written into it") }
  }

  /// A store file and its WAL and shared-memory files, removed if present.
  static func removeStoreFiles(_ path: String) {
    for suffix in ["", "-wal", "-shm", "-journal"] { FileIO.remove(path + suffix) }
  }

}
