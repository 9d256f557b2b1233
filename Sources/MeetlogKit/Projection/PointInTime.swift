/// Which events a state includes: `--as-of`, `--known-at`, `--at-seq`, and "now".
///
/// A calendar date given to `--as-of` or `--known-at` means the end of that day (UTC).
/// `now` is the reading of the clock; it gives the point's day when `--as-of` is absent.
public struct PointInTime: Sendable {
  public var asOf: Timestamp?
  public var knownAt: Timestamp?
  public var atSeq: Int64?
  public var now: Int64

  public init(asOf: Timestamp? = nil, knownAt: Timestamp? = nil, atSeq: Int64? = nil, now: Int64) {
    self.asOf = asOf
    self.knownAt = knownAt
    self.atSeq = atSeq
    self.now = now
  }

  /// The last instant a timestamp option includes: a date's last microsecond, or itself.
  static func inclusiveEnd(_ t: Timestamp) -> Int64 {
    t.isDate ? Int64(t.day + 1) * Timestamp.microsPerDay - 1 : t.micros
  }

  public var asOfMicros: Int64? { asOf.map(Self.inclusiveEnd) }
  public var knownAtMicros: Int64? { knownAt.map(Self.inclusiveEnd) }

  /// The point's calendar day (UTC), for overdue, age and the score's decay.
  public var day: Int {
    if let asOf { return asOf.day }
    return Int(floorDiv(now, Timestamp.microsPerDay))
  }
}
