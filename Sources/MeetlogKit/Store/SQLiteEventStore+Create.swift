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
      result = try body(store)
      // The file must hold every page before it is linked: the WAL is emptied into it
      // (and synced), and the connection closes when `store` goes.
      try store.checkpointAll()
    } catch {
      throw MeetlogError(error.kind, error.message.replacingAll(temporary, with: path))
    }
    guard try FileIO.linkNew(temporary, as: path) else { return nil }
    return result
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
