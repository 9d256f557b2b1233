internal import CSQLite

#if canImport(Glibc)
  import Glibc
#endif

/// The one place meetlog calls SQLite's C API.
///
/// A `SQLiteConnection` owns one `sqlite3*` and closes it in `deinit`; a `SQLiteStatement`
/// owns one prepared statement and finalizes it in `deinit`. Every return code goes
/// through `check`, which turns it into a `SQLiteError` carrying the extended code, the
/// message and the SQL.
final class SQLiteConnection {
  private(set) var handle: OpaquePointer?
  let path: String

  /// Opens (and with `create`, creates) the database at `path`, exactly as given.
  /// With `immutable`, the file is opened as a `file:` URI with `immutable=1`: for a
  /// store on read-only media, where SQLite cannot create the WAL index.
  init(path: String, readOnly: Bool, create: Bool, immutable: Bool = false) throws(SQLiteError) {
    self.path = path
    var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
    flags |= readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
    if create { flags |= SQLITE_OPEN_CREATE }
    var name = path
    if immutable {
      flags |= SQLITE_OPEN_URI
      name = "file:" + Self.percentEncoded(path) + "?immutable=1"
    }
    var db: OpaquePointer?
    let rc = sqlite3_open_v2(name, &db, flags, nil)
    handle = db
    if rc != SQLITE_OK {
      var message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
      if let db, sqlite3_system_errno(db) != 0 { message += " (\(String(cString: strerror(sqlite3_system_errno(db)))))" }
      let error = SQLiteError(code: rc, message: message, sql: nil)
      sqlite3_close_v2(db)
      handle = nil
      throw error
    }
    sqlite3_extended_result_codes(db, 1)
  }

  deinit {
    if let handle { sqlite3_close_v2(handle) }
  }

  /// A path as the path part of a `file:` URI: every byte but unreserved ones and `/`
  /// percent-encoded, so quotes, spaces, `?` and `#` in a name stay part of the name.
  static func percentEncoded(_ path: String) -> String {
    var out = ""
    for byte in path.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
        out.append(Character(Unicode.Scalar(byte)))
      default:
        let hex = Array("0123456789ABCDEF")
        out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 15)])
      }
    }
    return out
  }

  /// True when SQLite reports the store as read-only for this connection.
  var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

  /// Waits up to `milliseconds` for a lock, with SQLite's own backoff (1 ms … 100 ms).
  func setBusyTimeout(milliseconds: Int32) {
    sqlite3_busy_timeout(handle, milliseconds)
  }

  func check(_ rc: Int32, sql: String? = nil) throws(SQLiteError) {
    if rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE {
      throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
  }

  /// Runs one or more statements that return no rows.
  func execute(_ sql: String) throws(SQLiteError) {
    var message: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(handle, sql, nil, nil, &message)
    if rc != SQLITE_OK {
      let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
      sqlite3_free(message)
      throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
    }
  }

  /// The integer in the first column of the first row (0 when there is no row); the
  /// statement is finalized before it returns, so no read transaction stays open.
  func scalar(_ sql: String) throws(SQLiteError) -> Int64 {
    let statement = try prepare(sql)
    defer { statement.reset() }
    return try statement.step() ? statement.int64(0) : 0
  }

  func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
    try SQLiteStatement(connection: self, sql: sql)
  }

  /// Statements prepared once per connection and reused: an append of one event
  /// otherwise spends more time preparing a dozen statements than writing its row.
  /// Keyed by where the literal lies in the binary: hashing the SQL text of each of
  /// them was 5% of a one-event append's instructions (callgrind).
  private var cache: [UInt: SQLiteStatement] = [:]

  /// The cached statement for `sql`, reset and with no bindings.
  func cached(_ sql: StaticString) throws(SQLiteError) -> SQLiteStatement {
    let key = UInt(bitPattern: sql.utf8Start)
    if let statement = cache[key] {
      statement.reset()
      return statement
    }
    let statement = try prepare(sql.description)
    cache[key] = statement
    return statement
  }

  /// Resets every cached statement, so none holds a read open past a transaction.
  func resetCached() {
    for statement in cache.values { statement.reset() }
  }

  var changes: Int { Int(sqlite3_changes(handle)) }
}

/// A prepared statement, reset and reused across rows.
final class SQLiteStatement {
  private var handle: OpaquePointer?
  private unowned let connection: SQLiteConnection
  let sql: String

  init(connection: SQLiteConnection, sql: String) throws(SQLiteError) {
    self.connection = connection
    self.sql = sql
    var statement: OpaquePointer?
    let rc = sqlite3_prepare_v2(connection.handle, sql, -1, &statement, nil)
    handle = statement
    try connection.check(rc, sql: sql)
  }

  deinit {
    sqlite3_finalize(handle)
  }

  private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  func reset() {
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
  }

  func bind(_ index: Int32, _ value: Int64) throws(SQLiteError) {
    try connection.check(sqlite3_bind_int64(handle, index, value), sql: sql)
  }

  func bind(_ index: Int32, _ value: String) throws(SQLiteError) {
    try connection.check(sqlite3_bind_text(handle, index, value, -1, Self.transient), sql: sql)
  }

  /// Binds `value`, or its first `count` bytes.
  func bind(_ index: Int32, _ value: [UInt8], count: Int? = nil) throws(SQLiteError) {
    let rc = value.withUnsafeBytes { raw in
      sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(min(count ?? raw.count, raw.count)), Self.transient)
    }
    try connection.check(rc, sql: sql)
  }

  func bindNull(_ index: Int32) throws(SQLiteError) {
    try connection.check(sqlite3_bind_null(handle, index), sql: sql)
  }

  /// Advances to the next row; false when done.
  func step() throws(SQLiteError) -> Bool {
    let rc = sqlite3_step(handle)
    if rc == SQLITE_ROW { return true }
    if rc == SQLITE_DONE { return false }
    throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(connection.handle)), sql: sql)
  }

  /// Runs a statement that returns no rows, then resets it.
  func run() throws(SQLiteError) {
    defer { reset() }
    _ = try step()
  }

  func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

  func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

  func text(_ column: Int32) -> String {
    guard let pointer = sqlite3_column_text(handle, column) else { return "" }
    let count = Int(sqlite3_column_bytes(handle, column))
    return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
  }

  func blob(_ column: Int32) -> [UInt8] {
    let count = Int(sqlite3_column_bytes(handle, column))
    guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: count))
  }

  /// Calls `body` with the blob's bytes without copying them; valid only inside.
  func withBlob<R, E: Error>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    let count = Int(sqlite3_column_bytes(handle, column))
    let pointer = sqlite3_column_blob(handle, column)
    return try body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
  }
}

/// A BLOB read a piece at a time (`sqlite3_blob_open`), so that a reader that needs its
/// head reads only that: `state --as-of` needs the first frames of a snapshot's items
/// part, about half of its 6 MB on a million-event log. Closed in `deinit`; it must go
/// before the read transaction it was opened in ends.
final class SQLiteBlob {
  private var handle: OpaquePointer?
  private unowned let connection: SQLiteConnection
  let count: Int

  init(connection: SQLiteConnection, table: String, column: String, rowid: Int64) throws(SQLiteError) {
    self.connection = connection
    var blob: OpaquePointer?
    let rc = sqlite3_blob_open(connection.handle, "main", table, column, rowid, 0, &blob)
    handle = blob
    try connection.check(rc)
    count = Int(sqlite3_blob_bytes(blob))
  }

  deinit {
    sqlite3_blob_close(handle)
  }

  /// Reads `into.count` bytes from `offset` on.
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SQLiteError) {
    guard buffer.count > 0 else { return }
    try connection.check(sqlite3_blob_read(handle, buffer.baseAddress, Int32(buffer.count), Int32(offset)))
  }
}

/// A failed SQLite call: the extended result code, SQLite's message and the SQL.
struct SQLiteError: Error, CustomStringConvertible {
  var code: Int32
  var message: String
  var sql: String?

  var primaryCode: Int32 { code & 0xFF }
  var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
  var isNotADatabase: Bool { primaryCode == SQLITE_NOTADB || primaryCode == SQLITE_CORRUPT }
  var isReadOnly: Bool { primaryCode == SQLITE_READONLY }
  var isCannotOpen: Bool { primaryCode == SQLITE_CANTOPEN }
  var isFull: Bool { primaryCode == SQLITE_FULL }
  var isIOError: Bool { primaryCode == SQLITE_IOERR }

  var description: String { "SQLite error \(code): \(message)" }
}

/// The SQLite library version, for `stats`.
var sqliteLibraryVersion: String { String(cString: sqlite3_libversion()) }
