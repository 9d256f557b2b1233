/// Finds the recorded time of an event from the `commits` table, which holds one row
/// per append (the first seq it wrote and its time) instead of a time per event.
///
/// Reading in seq order costs one query per commit: the cursor keeps the current
/// commit's range of seqs and its timestamp, built once.
final class CommitCursor {
  private let atOrBefore: SQLiteStatement
  private var range: Range<Int64> = 0..<0
  private var current = Timestamp.instant(0)

  init(_ connection: SQLiteConnection) throws(SQLiteError) {
    atOrBefore = try connection.prepare(
      """
      SELECT first_seq, recorded_us, recorded_at,
        (SELECT min(first_seq) FROM commits WHERE first_seq > c.first_seq)
      FROM commits c WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1
      """)
  }

  /// The recorded time of the event at `seq`: the time of the last commit that starts
  /// at or before it. A damaged store without one gives the epoch (verify reports it).
  func recordedAt(seq: Int64) throws(SQLiteError) -> Timestamp {
    if range.contains(seq) { return current }
    defer { atOrBefore.reset() }
    try atOrBefore.bind(1, seq)
    guard try atOrBefore.step() else {
      range = 0..<0
      return Timestamp.instant(0)
    }
    let first = atOrBefore.int64(0)
    let micros = atOrBefore.int64(1)
    let end = atOrBefore.isNull(3) ? Int64.max : atOrBefore.int64(3)
    current = Self.timestamp(micros: micros, text: atOrBefore.isNull(2) ? nil : atOrBefore.text(2))
    range = first..<end
    return current
  }

  /// Whether `seq`, the seq last passed to `recordedAt`, is the last of its commit
  /// (known only where a later commit starts).
  func endsCommit(seq: Int64) -> Bool { range.contains(seq) && range.upperBound - 1 == seq }

  /// The recorded time of a commit: its text when one is stored (an import kept it as
  /// given), else the UTC form of its microseconds.
  static func timestamp(micros: Int64, text: String?) -> Timestamp {
    if let text, case .success(let parsed) = Timestamp.parse(text), !parsed.isDate { return parsed }
    return Timestamp.instant(micros)
  }
}
