import ArgumentParser
import MeetlogKit

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export", abstract: "Print every event as NDJSON, with seq and recorded_at.",
    discussion: """
      The output loads into an empty store with `meetlog import`, which reproduces the
      same events, ids, seq and recorded_at: exporting again gives identical bytes.

      Example:
        meetlog export > backup.ndjson
      """)

  @OptionGroup var store: StoreOptions

  func run() throws {
    let store = try SQLiteEventStore(path: store.path, mode: .read)
    try Operations.export(store) { FileIO.writeStandardOutput($0) }
  }
}
