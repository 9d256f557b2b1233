#if canImport(Glibc)
  import Glibc
#endif

/// `meetlog tail`: every event from a seq on, as export lines, then — with `follow` —
/// each new append as it lands, so scripts can react to new events.
public enum Tail {
  /// Writes the export line of every event with seq ≥ `fromSeq`; with `follow`, keeps
  /// polling for new events every `pollMilliseconds` until `write` returns false.
  public static func run(
    _ store: SQLiteEventStore, fromSeq: Int64, follow: Bool, pollMilliseconds: UInt32 = 100,
    write: ([UInt8]) -> Bool
  ) throws(MeetlogError) {
    var next = max(1, fromSeq)
    var version: Int64 = -1
    while true {
      let current = try store.dataVersion()
      if current != version {
        version = current
        var query = EventQuery()
        query.minSeq = next
        var buffer: [UInt8] = []
        var open = true
        try store.scan(query) { recorded in
          buffer += CanonicalEncoding.exportLine(recorded)
          buffer.append(0x0A)
          next = recorded.seq + 1
          if buffer.count > 1 << 16 {
            open = write(buffer)
            buffer.removeAll(keepingCapacity: true)
          }
          return open
        }
        if !buffer.isEmpty { open = write(buffer) }
        if !open { return }
      }
      if !follow { return }
      usleep(pollMilliseconds * 1000)
    }
  }
}

extension SQLiteEventStore {
  /// A number that changes whenever another connection commits (`PRAGMA data_version`).
  func dataVersion() throws(MeetlogError) -> Int64 {
    try translate { () throws(SQLiteError) in try connection.scalar("PRAGMA data_version") }
  }
}
