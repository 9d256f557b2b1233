/// The work behind each command, callable without a process: the CLI parses options,
/// calls one of these and prints the result.
public enum Operations {
  /// Reads and validates every input (files, or standard input when none or `-`),
  /// before the store is touched. With `recordFields`, reads an export.
  public static func readEvents(from files: [String], recordFields: Bool = false) throws(MeetlogError) -> [PendingEvent] {
    var pending: [PendingEvent] = []
    let sources = files.isEmpty ? ["-"] : files
    for file in sources {
      let name = file == "-" ? "<stdin>" : file
      let bytes = file == "-" ? try FileIO.readStandardInput() : try FileIO.read(path: file)
      for object in try InputReader.read(bytes, file: name) {
        do {
          let input = try EventDecoder.decode(object.value, recordFields: recordFields)
          pending.append(PendingEvent(input: input, location: object.location))
        } catch {
          throw MeetlogError(.invalidInput, "\(object.location.description): \(error.description)")
        }
      }
    }
    return pending
  }

  /// Appends in one transaction. A store this call created is removed again if the
  /// append fails, so a rejected first append leaves nothing behind.
  public static func append(
    storePath: String, events: [PendingEvent], expectSeq: Int64?, now: Int64
  ) throws(MeetlogError) -> [AppendOutcome] {
    let existed = SQLiteEventStore.exists(storePath)
    do {
      let store = try SQLiteEventStore(path: storePath, mode: .write)
      return try store.append(events, expectSeq: expectSeq, now: now)
    } catch {
      if !existed { FileIO.removeStore(storePath) }
      throw error
    }
  }

  /// Loads an export into a new or empty store; removes a store it created on failure.
  public static func importExport(storePath: String, events: [PendingEvent]) throws(MeetlogError) -> Int64 {
    let existed = SQLiteEventStore.exists(storePath)
    do {
      let store = try SQLiteEventStore(path: storePath, mode: .write)
      return try store.importEvents(events)
    } catch {
      if !existed { FileIO.removeStore(storePath) }
      throw error
    }
  }

  /// Every event as export lines, in seq order.
  public static func export(_ store: some EventStore, _ write: ([UInt8]) -> Void) throws(MeetlogError) {
    var buffer: [UInt8] = []
    try store.scan(EventQuery()) { recorded in
      buffer += CanonicalEncoding.exportLine(recorded)
      buffer.append(0x0A)
      if buffer.count > 1 << 20 {
        write(buffer)
        buffer.removeAll(keepingCapacity: true)
      }
      return true
    }
    if !buffer.isEmpty { write(buffer) }
  }
}
